package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"

	"github.com/tessera-id/tessera/internal/store"
)

const sessionColumns = `id, user_id, client_id, kind, device_name, user_agent, ip,
	created_at, last_used_at, idle_expires_at, expires_at, revoked_at, revoked_reason,
	generation, nonce, rotated_at, secret_hash, auth_time, amr, scope, sso_session_id, mfa_at, refresh_digest`

// sessionClientColumns are what a session keeps of its client for the
// refresh statement: the client's idle lifetime in seconds (0: the
// server's default) and whether it is confidential. They are copied by
// sessionClientValues (whose two parameters are the client id) when the
// session is created and kept in step by UpdateClient; nothing else reads
// them, so they are not in store.Session.
const (
	sessionClientColumns = `client_idle_ttl_seconds, client_confidential`
	sessionClientValues  = `COALESCE((SELECT c.idle_ttl_seconds FROM clients c WHERE c.client_id = ?), 0),
		COALESCE((SELECT c.client_type = '` + store.ClientConfidential + `' FROM clients c WHERE c.client_id = ?), FALSE)`
)

// scanSession reads sessionColumns, in order, into s.
func scanSession(sc rowScanner, s *store.Session) error {
	return sc.Scan(&s.ID, &s.UserID, &s.ClientID, &s.Kind, &s.DeviceName, &s.UserAgent, &s.IP,
		timeDest{&s.CreatedAt}, timeDest{&s.LastUsedAt}, timeDest{&s.IdleExpiresAt},
		timeDest{&s.ExpiresAt}, nullTimeDest{&s.RevokedAt}, &s.RevokedReason,
		&s.Generation, &s.Nonce, timeDest{&s.RotatedAt}, &s.SecretHash,
		nullTimeDest{&s.AuthTime}, listDest{&s.AMR}, listDest{&s.Scope}, nullUUIDDest{&s.SSOSessionID},
		nullTimeDest{&s.MFAAt}, &s.RefreshDigest)
}

// insertSession is the INSERT of CreateSession, whose arguments
// sessionArgs gives. The session also copies its client's idle lifetime
// and confidentiality, which the refresh statement reads from the row.
const insertSession = `INSERT INTO sessions (` + sessionColumns + `, ` + sessionClientColumns + `)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ` + sessionClientValues + `)
	RETURNING ` + sessionColumns

// insertSessionAudited is insertSession and one audit event (no id of its
// own) in one statement: the arguments of insertSession, then those of
// auditInsert. Postgres runs both inserts or neither.
var insertSessionAudited = `WITH s AS (` + insertSession + `),
	a AS (` + postgresFlavor.auditInsert(false) + `)
	SELECT ` + qualified("s", sessionColumns) + `, a.id, a.created_at FROM s CROSS JOIN a`

func sessionArgs(s *store.Session) ([]any, error) {
	amr, err := encodeList(s.AMR)
	if err != nil {
		return nil, err
	}
	scope, err := encodeList(s.Scope)
	if err != nil {
		return nil, err
	}
	return []any{s.ID, s.UserID, s.ClientID, s.Kind, s.DeviceName, s.UserAgent, s.IP,
		sqlTime(s.CreatedAt), sqlTime(s.LastUsedAt), sqlTime(s.IdleExpiresAt),
		sqlTime(s.ExpiresAt), nullTime(s.RevokedAt), s.RevokedReason,
		s.Generation, s.Nonce, sqlTime(s.RotatedAt), nullBytes(s.SecretHash),
		nullTime(s.AuthTime), amr, scope, nullUUID(s.SSOSessionID), nullTime(s.MFAAt), nullBytes(s.RefreshDigest),
		s.ClientID, s.ClientID}, nil
}

// CreateSession inserts s and events in one transaction, and then holds
// in s exactly what was stored (and in each event its id and time, as
// AddAuditEvent does). An unknown user or client is a foreign-key error; a
// taken id or secret hash is a *store.ConflictError ("id", "secret_hash").
// A sign-in's session and its one event are one statement on Postgres.
func (db *DB) CreateSession(ctx context.Context, s *store.Session, events ...*store.AuditEvent) error {
	args, err := sessionArgs(s)
	if err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	switch {
	case len(events) == 0:
		err = scanSession(db.preparedRow(ctx, db.w, insertSession, args...), s)
	case len(events) == 1 && events[0].ID == 0 && db.flavor.writableCTE:
		err = db.createSessionAudited(ctx, s, args, events[0])
	default:
		return db.inTx(ctx, "create session", func(tx *sqlx.Tx) error {
			if err := scanSession(tx.QueryRowContext(ctx, db.flavor.rebind(insertSession), args...), s); err != nil {
				return err
			}
			for _, e := range events {
				if err := db.addAuditEvent(ctx, tx, e); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err != nil {
		return db.flavor.wrap("create session", err)
	}
	return nil
}

// createSessionAudited runs insertSessionAudited.
func (db *DB) createSessionAudited(ctx context.Context, s *store.Session, args []any, e *store.AuditEvent) error {
	eargs, err := auditArgs(e)
	if err != nil {
		return err
	}
	row := db.preparedRow(ctx, db.w, insertSessionAudited, append(args, eargs...)...)
	var c collector
	_ = scanSession(&c, s)
	return row.Scan(append(c.dests, &e.ID, timeDest{&e.CreatedAt})...)
}

// GetSession returns the session with id, active or not, or
// store.ErrNotFound.
func (db *DB) GetSession(ctx context.Context, id uuid.UUID) (*store.Session, error) {
	return db.getSession(ctx, "get session", `SELECT `+sessionColumns+` FROM sessions WHERE id = ?`, id)
}

func (db *DB) getSession(ctx context.Context, op, q string, arg any) (*store.Session, error) {
	var s store.Session
	if err := scanSession(db.preparedRow(ctx, db.r, q, arg), &s); err != nil {
		return nil, db.flavor.wrap(op, err)
	}
	return &s, nil
}

// ListUserSessions returns the user's sessions that are unrevoked and
// inside both lifetimes at now, newest (by CreatedAt) first.
func (db *DB) ListUserSessions(ctx context.Context, userID uuid.UUID, now time.Time) (_ []store.Session, err error) {
	const q = `SELECT ` + sessionColumns + ` FROM sessions
		WHERE user_id = ? AND revoked_at IS NULL AND idle_expires_at > ? AND expires_at > ?
		ORDER BY created_at DESC, id DESC`
	rows, err := db.r.QueryContext(ctx, db.flavor.rebind(q), userID, sqlTime(now), sqlTime(now))
	if err != nil {
		return nil, db.flavor.wrap("list user sessions", err)
	}
	defer func() { err = errors.Join(err, rows.Close()) }()
	var list []store.Session
	for rows.Next() {
		var s store.Session
		if err := scanSession(rows, &s); err != nil {
			return nil, db.flavor.wrap("list user sessions", err)
		}
		list = append(list, s)
	}
	if err := rows.Err(); err != nil {
		return nil, db.flavor.wrap("list user sessions", err)
	}
	return list, nil
}

// RotateSession moves the session from generation gen to gen+1 with one
// conditional UPDATE ... RETURNING, so of concurrent callers exactly one
// wins. A session that is no longer at gen, is revoked, or is outside
// either lifetime at now gives store.ErrStale; an unknown id gives
// store.ErrNotFound (checked with one more query, on the losing path only).
func (db *DB) RotateSession(ctx context.Context, id uuid.UUID, gen int64, now, idleExpiresAt time.Time) (*store.Session, error) {
	const q = `UPDATE sessions
		SET generation = generation + 1, rotated_at = ?, last_used_at = ?, idle_expires_at = ?
		WHERE id = ? AND generation = ? AND revoked_at IS NULL
			AND idle_expires_at > ? AND expires_at > ?
		RETURNING ` + sessionColumns
	var s store.Session
	row := db.preparedRow(ctx, db.w, q,
		sqlTime(now), sqlTime(now), sqlTime(idleExpiresAt),
		id, gen, sqlTime(now), sqlTime(now))
	err := scanSession(row, &s)
	if errors.Is(err, sql.ErrNoRows) {
		err = db.staleOrMissing(ctx, "sessions", id)
	}
	if err != nil {
		return nil, db.flavor.wrap("rotate session", err)
	}
	return &s, nil
}

// TouchSession sets last_used_at to now and idle_expires_at to
// idleExpiresAt if the session is unrevoked and inside both lifetimes at
// now. Otherwise store.ErrStale; unknown id: store.ErrNotFound.
func (db *DB) TouchSession(ctx context.Context, id uuid.UUID, now, idleExpiresAt time.Time) error {
	const q = `UPDATE sessions SET last_used_at = ?, idle_expires_at = ?
		WHERE id = ? AND revoked_at IS NULL AND idle_expires_at > ? AND expires_at > ?`
	n, err := db.exec(ctx, q, sqlTime(now), sqlTime(idleExpiresAt), id, sqlTime(now), sqlTime(now))
	if err == nil && n == 0 {
		err = db.staleOrMissing(ctx, "sessions", id)
	}
	if err != nil {
		return db.flavor.wrap("touch session", err)
	}
	return nil
}

// RevokeSession marks the session revoked at now for reason. Revoking a
// revoked session changes nothing and is not an error; unknown id:
// store.ErrNotFound.
func (db *DB) RevokeSession(ctx context.Context, id uuid.UUID, now time.Time, reason string) error {
	const q = `UPDATE sessions SET revoked_at = ?, revoked_reason = ?
		WHERE id = ? AND revoked_at IS NULL`
	n, err := db.exec(ctx, q, sqlTime(now), reason, id)
	if err == nil && n == 0 {
		if err = db.staleOrMissing(ctx, "sessions", id); errors.Is(err, store.ErrStale) {
			err = nil // already revoked
		}
	}
	if err != nil {
		return db.flavor.wrap("revoke session", err)
	}
	return nil
}

// RevokeUserSessions revokes every unrevoked session of the user but keep
// (uuid.Nil keeps none), expired ones included, and says how many.
func (db *DB) RevokeUserSessions(ctx context.Context, userID, keep uuid.UUID, now time.Time, reason string) (int, error) {
	const q = `UPDATE sessions SET revoked_at = ?, revoked_reason = ?
		WHERE user_id = ? AND revoked_at IS NULL AND id <> ?`
	n, err := db.exec(ctx, q, sqlTime(now), reason, userID, keep)
	if err != nil {
		return 0, db.flavor.wrap("revoke user sessions", err)
	}
	return int(n), nil
}

// RevokeSSOSessions revokes every unrevoked session born from the browser
// sign-in ssoID (SSOSessionID), expired ones included, and says how many.
func (db *DB) RevokeSSOSessions(ctx context.Context, ssoID uuid.UUID, now time.Time, reason string) (int, error) {
	const q = `UPDATE sessions SET revoked_at = ?, revoked_reason = ?
		WHERE sso_session_id = ? AND revoked_at IS NULL`
	n, err := db.exec(ctx, q, sqlTime(now), reason, ssoID)
	if err != nil {
		return 0, db.flavor.wrap("revoke sso sessions", err)
	}
	return int(n), nil
}

// staleOrMissing explains why a conditional write on row id of table
// (a constant of this package, never input) matched no row: store.ErrStale
// if the row exists, store.ErrNotFound if not.
func (db *DB) staleOrMissing(ctx context.Context, table string, id uuid.UUID) error {
	var one int
	err := db.r.QueryRowContext(ctx, db.flavor.rebind(`SELECT 1 FROM `+table+` WHERE id = ?`), id).Scan(&one)
	switch {
	case err == nil:
		return store.ErrStale
	case errors.Is(err, sql.ErrNoRows):
		return store.ErrNotFound
	default:
		return err
	}
}

// exec runs a write and returns the number of rows it matched.
func (db *DB) exec(ctx context.Context, q string, args ...any) (int64, error) {
	res, err := db.w.ExecContext(ctx, db.flavor.rebind(q), args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
