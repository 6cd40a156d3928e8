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
var rotateQueries sync.Map // of rotateKey -> string

type rotateKey struct {
	flavor  string
	idleSec int64
}

// rotateRefreshQuery builds the one statement of RotateRefresh: a
// conditional UPDATE joined with the session's user, that takes the
// client's idle lifetime and confidentiality from the session row, and
// returns what an answer needs of the updated session (the columns of a
// store.SessionAuth) with its user.
func (db *DB) rotateRefreshQuery(idle time.Duration) string {
	// Whole seconds, rounded up: a positive lifetime never becomes zero.
	key := rotateKey{db.flavor.name, int64((idle + time.Second - 1) / time.Second)}
	if q, ok := rotateQueries.Load(key); ok {
		return q.(string)
	}
	// The default is a number from this process's settings, never input.
	// The session holds its client's idle lifetime and type (copied at
	// creation, kept in step by UpdateClient), so only users is joined.
	ttl := fmt.Sprintf(`COALESCE(NULLIF(sessions.client_idle_ttl_seconds, 0), %d)`, key.idleSec)
	// The parameters are numbered, so that each is sent, and parsed by
	// the database, once however often the statement uses it: $1 the next
	// digest, $2 now, $3 the session id, $4 its generation, $5 the
	// presented digest, $6 the client named ('' for none), $7 whether that
	// client authenticated. Both databases read $N as the Nth argument.
	idleExpr := db.flavor.plusSeconds("$2", ttl)
	userCols := qualified("u", userColumns)
	if !db.flavor.joinedReturning {
		cols := strings.Split(userColumns, ",")
		for i, c := range cols {
			cols[i] = `(SELECT u2.` + strings.TrimSpace(c) + ` FROM users u2 WHERE u2.id = sessions.user_id)`
		}
		userCols = strings.Join(cols, ", ")
	}
	q := `UPDATE sessions SET generation = generation + 1, refresh_digest = $1, rotated_at = $2, last_used_at = $2,
			idle_expires_at = CASE WHEN ` + idleExpr + ` < expires_at THEN ` + idleExpr + ` ELSE expires_at END
		FROM users u
		WHERE sessions.id = $3 AND sessions.generation = $4 AND sessions.refresh_digest = $5
			AND sessions.kind = 'jwt' AND sessions.revoked_at IS NULL
			AND sessions.idle_expires_at > $2 AND sessions.expires_at > $2
			AND u.id = sessions.user_id AND u.is_active
			AND ($6 = '' OR sessions.client_id = $6)
			AND ($7 OR NOT sessions.client_confidential)
		RETURNING ` + qualified("sessions", sessionAuthColumns) + `, ` + userCols
	rotateQueries.Store(key, q)
	return q
}

// RotateRefresh checks, rotates and reads a JWT session and its user in
// one statement; see store.Rotation. No match is store.ErrStale, whether
// the session is missing, elsewhere in its life, or its user or client
// refuse: the caller, on that rarer path, reads the session to say why.
func (db *DB) RotateRefresh(ctx context.Context, r store.Rotation) (*store.SessionAuth, *store.User, error) {
	if len(r.Digest) == 0 || len(r.NextDigest) == 0 {
		return nil, nil, fmt.Errorf("rotate refresh: %w", store.ErrStale)
	}
	var (
		s store.SessionAuth
		u store.User
	)
	row := db.preparedRow(ctx, db.w, db.rotateRefreshQuery(r.DefaultIdleTTL),
		r.NextDigest, sqlTime(r.Now), r.ID, r.Generation, r.Digest, r.ClientID, r.ClientAuthenticated)
	err := withUser(row, &u, func(sc rowScanner) error { return scanSessionAuth(sc, &s) })
	if errors.Is(err, sql.ErrNoRows) {
		err = store.ErrStale
	}
	if err != nil {
		return nil, nil, db.flavor.wrap("rotate refresh", err)
	}
	return &s, &u, nil
}
