package sqlstore

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"

	"github.com/tessera-id/tessera/internal/store"
)

// DefaultAuditLimit is how many events ListAuditEvents returns when asked
// for a limit <= 0.
const DefaultAuditLimit = 100

const auditColumns = `id, event, actor_id, user_id, session_id, ip, user_agent, details, created_at`

// AddAuditEvent appends e and sets e.ID and e.CreatedAt to what was stored.
// A zero e.ID takes the next id; a set one is stored as is (imports; on
// Postgres it does not advance the id sequence). A zero e.CreatedAt takes
// the database clock: the one time the store does not come from the caller.
func (db *DB) AddAuditEvent(ctx context.Context, e *store.AuditEvent) error {
	if err := db.addAuditEvent(ctx, nil, e); err != nil {
		return db.flavor.wrap("add audit event", err)
	}
	return nil
}

// addAuditEvent inserts e in tx, or through the writer's prepared
// statements when tx is nil.
func (db *DB) addAuditEvent(ctx context.Context, tx *sqlx.Tx, e *store.AuditEvent) error {
	args, err := auditArgs(e)
	if err != nil {
		return err
	}
	q := db.flavor.auditInsert(e.ID != 0)
	if e.ID != 0 {
		args = append([]any{e.ID}, args...)
	}
	var row rowScanner
	if tx != nil {
		row = tx.QueryRowContext(ctx, db.flavor.rebind(q), args...)
	} else {
		// Prepared (two shapes: with and without an id): most requests
		// that change anything add an event.
		row = db.preparedRow(ctx, db.w, q, args...)
	}
	return row.Scan(&e.ID, timeDest{&e.CreatedAt})
}

// auditInsert is the INSERT of one event, returning its id and time;
// withID takes the id as its first argument, before those of auditArgs.
func (f *flavor) auditInsert(withID bool) string {
	cols := `event, actor_id, user_id, session_id, ip, user_agent, details, created_at`
	vals := `?, ?, ?, ?, ?, ?, ?, COALESCE(?, ` + f.now + `)`
	if withID {
		cols, vals = "id, "+cols, "?, "+vals
	}
	return `INSERT INTO audit_events (` + cols + `) VALUES (` + vals + `) RETURNING id, created_at`
}

// auditArgs are e's arguments of auditInsert, after the id.
func auditArgs(e *store.AuditEvent) ([]any, error) {
	details, err := encodeDetails(e.Details)
	if err != nil {
		return nil, err
	}
	var created any
	if !e.CreatedAt.IsZero() {
		created = sqlTime(e.CreatedAt)
	}
	return []any{e.Event, nullUUID(e.ActorID), nullUUID(e.UserID), nullUUID(e.SessionID),
		e.IP, e.UserAgent, details, created}, nil
}

// ListAuditEvents returns at most limit events (DefaultAuditLimit when
// limit <= 0), the most recently added first; only the user's when userID
// is not nil.
func (db *DB) ListAuditEvents(ctx context.Context, userID *uuid.UUID, limit int) (_ []store.AuditEvent, err error) {
	if limit <= 0 {
		limit = DefaultAuditLimit
	}
	q, args := `SELECT `+auditColumns+` FROM audit_events ORDER BY id DESC LIMIT ?`, []any{limit}
	if userID != nil {
		q = `SELECT ` + auditColumns + ` FROM audit_events WHERE user_id = ? ORDER BY id DESC LIMIT ?`
		args = []any{*userID, limit}
	}
	rows, err := db.r.QueryContext(ctx, db.flavor.rebind(q), args...)
	if err != nil {
		return nil, db.flavor.wrap("list audit events", err)
	}
	defer func() { err = errors.Join(err, rows.Close()) }()
	var list []store.AuditEvent
	for rows.Next() {
		var (
			e       store.AuditEvent
			details string
		)
		if err := rows.Scan(&e.ID, &e.Event, nullUUIDDest{&e.ActorID}, nullUUIDDest{&e.UserID},
			nullUUIDDest{&e.SessionID}, &e.IP, &e.UserAgent, &details, timeDest{&e.CreatedAt}); err != nil {
			return nil, db.flavor.wrap("list audit events", err)
		}
		if e.Details, err = decodeDetails(details); err != nil {
			return nil, db.flavor.wrap("list audit events", err)
		}
		list = append(list, e)
	}
	if err := rows.Err(); err != nil {
		return nil, db.flavor.wrap("list audit events", err)
	}
	return list, nil
}
