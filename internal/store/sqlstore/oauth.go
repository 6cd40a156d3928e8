package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/store"
)

const codeColumns = `code_hash, client_id, user_id, redirect_uri, code_challenge,
	code_challenge_method, nonce, scope, auth_time, sso_session_id, amr, created_at, expires_at,
	used_at, session_id, reused_at`

func scanCode(sc rowScanner, c *store.AuthorizationCode) error {
	var scope, amr string
	err := sc.Scan(&c.CodeHash, &c.ClientID, &c.UserID, &c.RedirectURI, &c.CodeChallenge,
		&c.CodeChallengeMethod, &c.Nonce, &scope, timeDest{&c.AuthTime}, nullUUIDDest{&c.SSOSessionID},
		&amr, timeDest{&c.CreatedAt}, timeDest{&c.ExpiresAt}, nullTimeDest{&c.UsedAt},
		nullUUIDDest{&c.SessionID}, nullTimeDest{&c.ReusedAt})
	if err != nil {
		return err
	}
	if c.Scope, err = decodeList(scope); err != nil {
		return err
	}
	c.AMR, err = decodeList(amr)
	return err
}

// CreateAuthorizationCode inserts c and then holds in c what was stored.
func (db *DB) CreateAuthorizationCode(ctx context.Context, c *store.AuthorizationCode) error {
	scope, err := encodeList(c.Scope)
	if err != nil {
		return db.flavor.wrap("create authorization code", err)
	}
	amr, err := encodeList(c.AMR)
	if err != nil {
		return db.flavor.wrap("create authorization code", err)
	}
	q := `INSERT INTO authorization_codes (` + codeColumns + `)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING ` + codeColumns
	row := db.preparedRow(ctx, db.w, q, c.CodeHash, c.ClientID, c.UserID,
		c.RedirectURI, c.CodeChallenge, c.CodeChallengeMethod, c.Nonce, scope, sqlTime(c.AuthTime),
		nullUUID(c.SSOSessionID), amr, sqlTime(c.CreatedAt), sqlTime(c.ExpiresAt), nullTime(c.UsedAt),
		nullUUID(c.SessionID), nullTime(c.ReusedAt))
	if err := scanCode(row, c); err != nil {
		return db.flavor.wrap("create authorization code", err)
	}
	return nil
}

// UseAuthorizationCode wins the code with one conditional UPDATE ...
// RETURNING (unused, expiring after now). On the losing path a second
// UPDATE records the replay of a used code and returns it with
// store.ErrCodeReused; a code that is there but unused has expired
// (store.ErrStale); anything else is store.ErrNotFound.
func (db *DB) UseAuthorizationCode(ctx context.Context, hash []byte, now time.Time) (*store.AuthorizationCode, error) {
	const (
		use = `UPDATE authorization_codes SET used_at = ?
			WHERE code_hash = ? AND used_at IS NULL AND expires_at > ? RETURNING ` + codeColumns
		replay = `UPDATE authorization_codes SET reused_at = COALESCE(reused_at, ?)
			WHERE code_hash = ? AND used_at IS NOT NULL RETURNING ` + codeColumns
	)
	if len(hash) == 0 {
		return nil, fmt.Errorf("use authorization code: %w", store.ErrNotFound)
	}
	var c store.AuthorizationCode
	err := scanCode(db.preparedRow(ctx, db.w, use, sqlTime(now), hash, sqlTime(now)), &c)
	if err == nil {
		return &c, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, db.flavor.wrap("use authorization code", err)
	}
	err = scanCode(db.w.QueryRowContext(ctx, db.flavor.rebind(replay), sqlTime(now), hash), &c)
	if err == nil {
		return &c, fmt.Errorf("use authorization code: %w", store.ErrCodeReused)
	}
	if errors.Is(err, sql.ErrNoRows) {
		err = db.codeStaleOrMissing(ctx, hash)
	}
	return nil, db.flavor.wrap("use authorization code", err)
}

// SetCodeSession writes session_id on the used code and reads reused_at in
// the same statement: a replay recorded before it is reported as
// store.ErrCodeReused, and a replay after it finds session_id set.
func (db *DB) SetCodeSession(ctx context.Context, hash []byte, sessionID uuid.UUID) error {
	const q = `UPDATE authorization_codes SET session_id = ?
		WHERE code_hash = ? AND used_at IS NOT NULL RETURNING reused_at`
	var reused *time.Time
	err := db.preparedRow(ctx, db.w, q, sessionID, hash).Scan(nullTimeDest{&reused})
	switch {
	case errors.Is(err, sql.ErrNoRows):
		err = db.codeStaleOrMissing(ctx, hash)
	case err == nil && reused != nil:
		err = store.ErrCodeReused
	}
	if err != nil {
		return db.flavor.wrap("set code session", err)
	}
	return nil
}

// codeStaleOrMissing explains a conditional write on a code that matched
// no row: store.ErrStale if the code exists, store.ErrNotFound if not.
func (db *DB) codeStaleOrMissing(ctx context.Context, hash []byte) error {
	var one int
	const q = `SELECT 1 FROM authorization_codes WHERE code_hash = ?`
	err := db.w.QueryRowContext(ctx, db.flavor.rebind(q), hash).Scan(&one)
	switch {
	case err == nil:
		return store.ErrStale
	case errors.Is(err, sql.ErrNoRows):
		return store.ErrNotFound
	default:
		return err
	}
}

// PruneAuthorizationCodes deletes codes that expired before before.
func (db *DB) PruneAuthorizationCodes(ctx context.Context, before time.Time) (int64, error) {
	return db.pruneLoop(ctx, "prune authorization codes", "authorization_codes", "code_hash",
		`expires_at < ?`, sqlTime(before))
}

// SetClientSecret replaces the client's secret hash at now.
func (db *DB) SetClientSecret(ctx context.Context, id string, hash []byte, now time.Time) error {
	if !validText(id) {
		return fmt.Errorf("set client secret: %w", store.ErrNotFound)
	}
	return db.execOne(ctx, "set client secret",
		`UPDATE clients SET secret_hash = ?, secret_created_at = ?, updated_at = ? WHERE client_id = ?`,
		nullBytes(hash), sqlTime(now), sqlTime(now), id)
}
