package sqlstore

import (
	"context"
	"strings"
	"time"

	"github.com/tessera-id/tessera/internal/store"
)

// pruneBatch bounds one DELETE of PruneAuditEvents, so a first prune of a
// large backlog never holds SQLite's one writer (or a long Postgres
// transaction) for more than a moment.
const pruneBatch = 5000

// QueryAuditEvents returns at most q.Limit events matching q, the highest
// id first.
func (db *DB) QueryAuditEvents(ctx context.Context, q store.AuditQuery) ([]store.AuditEvent, error) {
	where, args := []string{"1 = 1"}, []any{}
	if q.UserID != nil {
		where, args = append(where, "user_id = ?"), append(args, *q.UserID)
	}
	if q.Event != "" {
		where, args = append(where, "event = ?"), append(args, q.Event)
	}
	if !q.Since.IsZero() {
		where, args = append(where, "created_at >= ?"), append(args, sqlTime(q.Since))
	}
	if !q.Until.IsZero() {
		where, args = append(where, "created_at < ?"), append(args, sqlTime(q.Until))
	}
	if q.BeforeID > 0 {
		where, args = append(where, "id < ?"), append(args, q.BeforeID)
	}
	query := `SELECT ` + auditColumns + ` FROM audit_events WHERE ` + strings.Join(where, " AND ") +
		` ORDER BY id DESC LIMIT ?`
	return queryAll(ctx, db, "query audit events", query, append(args, q.Limit), scanAuditEvent)
}

// scanAuditEvent reads auditColumns, in order, into e.
func scanAuditEvent(sc rowScanner, e *store.AuditEvent) error {
	var details string
	if err := sc.Scan(&e.ID, &e.Event, nullUUIDDest{&e.ActorID}, nullUUIDDest{&e.UserID},
		nullUUIDDest{&e.SessionID}, &e.IP, &e.UserAgent, &details, timeDest{&e.CreatedAt}); err != nil {
		return err
	}
	var err error
	e.Details, err = decodeDetails(details)
	return err
}

// PruneAuditEvents deletes the events created before before, in batches
// of pruneBatch rows, and says how many it deleted.
func (db *DB) PruneAuditEvents(ctx context.Context, before time.Time) (int64, error) {
	const q = `DELETE FROM audit_events WHERE id IN
		(SELECT id FROM audit_events WHERE created_at < ? ORDER BY id LIMIT ?)`
	var total int64
	for {
		n, err := db.exec(ctx, q, sqlTime(before), pruneBatch)
		if err != nil {
			return total, db.flavor.wrap("prune audit events", err)
		}
		total += n
		if n < pruneBatch {
			return total, nil
		}
	}
}
