package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
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
	key := rotateKey{db.flavor.name, idleSeconds(idle)}
	if q, ok := rotateQueries.Load(key); ok {
		return q.(string)
	}
	userCols := qualified("u", userColumns)
	if !db.flavor.joinedReturning {
		cols := strings.Split(userColumns, ",")
		for i, c := range cols {
			cols[i] = `(SELECT u2.` + strings.TrimSpace(c) + ` FROM users u2 WHERE u2.id = sessions.user_id)`
		}
		userCols = strings.Join(cols, ", ")
	}
	// The parameters are numbered, so that each is sent, and parsed by
	// the database, once however often the statement uses it. Both
	// databases read $N as the Nth argument.
	q := rotationStatement(db.flavor, singleRotation, "users u", "", key.idleSec,
		qualified("sessions", sessionAuthColumns)+`, `+userCols)
	rotateQueries.Store(key, q)
	return q
}

// rotationOperands name, in SQL, what a rotation statement compares and
// stores: the next digest, now, the session id, its generation, the
// presented digest, the client named (empty for none) and whether that
// client authenticated; and the condition that the session is not revoked.
type rotationOperands struct{ next, now, id, gen, digest, client, authed, unrevoked string }

// singleRotation is the single statement's: its parameters, in
// rotateArgs's order.
var singleRotation = rotationOperands{"$1", "$2", "$3", "$4", "$5", "$6", "$7", "sessions.revoked_at IS NULL"}

// rotationStatement is the rotation UPDATE of sessions over from (which
// joins users as u), for the operands o, with the condition where (if
// any) before the others, a default idle lifetime of idleSec seconds, and
// returning the columns named.
func rotationStatement(f *flavor, o rotationOperands, from, where string, idleSec int64, returning string) string {
	// The default is a number from this process's settings, never input.
	// The session holds its client's idle lifetime and type (copied at
	// creation, kept in step by UpdateClient), so only users is joined.
	ttl := `COALESCE(NULLIF(sessions.client_idle_ttl_seconds, 0), ` + strconv.FormatInt(idleSec, 10) + `)`
	idleExpr := f.plusSeconds(o.now, ttl)
	if where != "" {
		where += ` AND `
	}
	return `UPDATE sessions SET generation = generation + 1, refresh_digest = ` + o.next + `, rotated_at = ` + o.now + `, last_used_at = ` + o.now + `,
			idle_expires_at = CASE WHEN ` + idleExpr + ` < expires_at THEN ` + idleExpr + ` ELSE expires_at END
		FROM ` + from + `
		WHERE ` + where + `sessions.id = ` + o.id + ` AND sessions.generation = ` + o.gen + ` AND sessions.refresh_digest = ` + o.digest + `
			AND sessions.kind = 'jwt' AND ` + o.unrevoked + `
			AND sessions.idle_expires_at > ` + o.now + ` AND sessions.expires_at > ` + o.now + `
			AND u.id = sessions.user_id AND u.is_active
			AND (` + o.client + ` = '' OR sessions.client_id = ` + o.client + `)
			AND (` + o.authed + ` OR NOT sessions.client_confidential)
		RETURNING ` + returning
}

// RotateRefresh checks, rotates and reads a JWT session and its user in
// one statement; see store.Rotation. No match is store.ErrStale, whether
// the session is missing, elsewhere in its life, or its user or client
// refuse: the caller, on that rarer path, reads the session to say why.
// On Postgres, rotations that wait for a connection share a statement
// (see rotations).
func (db *DB) RotateRefresh(ctx context.Context, r store.Rotation) (*store.SessionAuth, *store.User, error) {
	if len(r.Digest) == 0 || len(r.NextDigest) == 0 {
		return nil, nil, fmt.Errorf("rotate refresh: %w", store.ErrStale)
	}
	if db.flavor == postgresFlavor {
		return db.rotateTogether(ctx, r)
	}
	return db.rotateAlone(ctx, r)
}

// rotateAlone runs r's own statement, after waiting its turn at the gate.
func (db *DB) rotateAlone(ctx context.Context, r store.Rotation) (*store.SessionAuth, *store.User, error) {
	db.rot.statements.Add(1)
	db.rot.rotated.Add(1)
	var (
		s store.SessionAuth
		u store.User
	)
	err := scanRotation(db.preparedRow(ctx, db.w, db.rotateRefreshQuery(r.DefaultIdleTTL), rotateArgs(r)...), &s, &u)
	if err = rotateErr(db, err); err != nil {
		return nil, nil, err
	}
	return &s, &u, nil
}

// rotateArgs are the arguments of rotateRefreshQuery for r.
func rotateArgs(r store.Rotation) []any {
	return []any{r.NextDigest, sqlTime(r.Now), r.ID, r.Generation, r.Digest, r.ClientID, r.ClientAuthenticated}
}

// scanRotation reads the row of rotateRefreshQuery into s and u.
func scanRotation(row rowScanner, s *store.SessionAuth, u *store.User) error {
	return withUser(row, u, func(sc rowScanner) error { return scanSessionAuth(sc, s) })
}

// rotateErr is the error of a rotation statement that scanned err: no row
// is store.ErrStale.
func rotateErr(db *DB, err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		err = store.ErrStale
	}
	if err != nil {
		return db.flavor.wrap("rotate refresh", err)
	}
	return nil
}
