package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/tessera-id/tessera/internal/store"
)

// rotateQueries caches the rotation statement per flavor and default idle
// lifetime (a process has one of each).
var rotateQueries sync.Map // of rotateKey -> rotateQuery

type rotateKey struct {
	flavor  string
	idleSec int64
}

type rotateQuery struct {
	sql      string // with '?' placeholders
	nowUses  int    // how many '?' of the idle expression stand for now
	idleExpr string
}

// rotateRefreshQuery builds the one statement of RotateRefresh: a
// conditional UPDATE joined with the session's user, that takes the
// client's idle lifetime and confidentiality from the session row, and
// returns the updated session with its user.
func (db *DB) rotateRefreshQuery(idle time.Duration) rotateQuery {
	// Whole seconds, rounded up: a positive lifetime never becomes zero.
	key := rotateKey{db.flavor.name, int64((idle + time.Second - 1) / time.Second)}
	if q, ok := rotateQueries.Load(key); ok {
		return q.(rotateQuery)
	}
	// The default is a number from this process's settings, never input.
	// The session holds its client's idle lifetime and type (copied at
	// creation, kept in step by UpdateClient), so only users is joined.
	ttl := fmt.Sprintf(`COALESCE(NULLIF(sessions.client_idle_ttl_seconds, 0), %d)`, key.idleSec)
	idleExpr := db.flavor.plusSeconds(ttl)
	userCols := qualified("u", userColumns)
	if !db.flavor.joinedReturning {
		cols := strings.Split(userColumns, ",")
		for i, c := range cols {
			cols[i] = `(SELECT u2.` + strings.TrimSpace(c) + ` FROM users u2 WHERE u2.id = sessions.user_id)`
		}
		userCols = strings.Join(cols, ", ")
	}
	q := `UPDATE sessions SET generation = generation + 1, refresh_digest = ?, rotated_at = ?, last_used_at = ?,
			idle_expires_at = CASE WHEN ` + idleExpr + ` < expires_at THEN ` + idleExpr + ` ELSE expires_at END
		FROM users u
		WHERE sessions.id = ? AND sessions.generation = ? AND sessions.refresh_digest = ?
			AND sessions.kind = 'jwt' AND sessions.revoked_at IS NULL
			AND sessions.idle_expires_at > ? AND sessions.expires_at > ?
			AND u.id = sessions.user_id AND u.is_active
			AND (? = '' OR sessions.client_id = ?)
			AND (? OR NOT sessions.client_confidential)
		RETURNING ` + qualified("sessions", sessionColumns) + `, ` + userCols
	rq := rotateQuery{sql: q, nowUses: strings.Count(idleExpr, "?"), idleExpr: idleExpr}
	rotateQueries.Store(key, rq)
	return rq
}

// RotateRefresh checks, rotates and reads a JWT session and its user in
// one statement; see store.Rotation. No match is store.ErrStale, whether
// the session is missing, elsewhere in its life, or its user or client
// refuse: the caller, on that rarer path, reads the session to say why.
func (db *DB) RotateRefresh(ctx context.Context, r store.Rotation) (*store.Session, *store.User, error) {
	if len(r.Digest) == 0 || len(r.NextDigest) == 0 {
		return nil, nil, fmt.Errorf("rotate refresh: %w", store.ErrStale)
	}
	rq := db.rotateRefreshQuery(r.DefaultIdleTTL)
	// Formatted once: the statement takes the time up to seven times.
	now, err := sqlTime(r.Now).Value()
	if err != nil {
		return nil, nil, fmt.Errorf("rotate refresh: %w", err)
	}
	args := make([]any, 0, 16+2*rq.nowUses)
	args = append(args, r.NextDigest, now, now)
	for range 2 * rq.nowUses {
		args = append(args, now)
	}
	args = append(args, r.ID, r.Generation, r.Digest, now, now, r.ClientID, r.ClientID, r.ClientAuthenticated)
	var (
		s store.Session
		u store.User
	)
	stmt, err := db.prepared(ctx, db.w, rq.sql)
	if err != nil {
		return nil, nil, db.flavor.wrap("rotate refresh", err)
	}
	row := stmt.QueryRowContext(ctx, args...)
	err = withUser(row, &u, func(sc rowScanner) error { return scanSession(sc, &s) })
	if errors.Is(err, sql.ErrNoRows) {
		err = store.ErrStale
	}
	if err != nil {
		return nil, nil, db.flavor.wrap("rotate refresh", err)
	}
	return &s, &u, nil
}
