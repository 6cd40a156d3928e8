package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/store"
)

const authTokenColumns = `user_id, key_hash, nonce, prefix, created_at, last_used_at`

func scanAuthToken(sc rowScanner, t *store.AuthToken) error {
	return sc.Scan(&t.UserID, &t.KeyHash, &t.Nonce, &t.Prefix, timeDest{&t.CreatedAt}, nullTimeDest{&t.LastUsedAt})
}

// CreateAuthToken inserts t; a user who has a token already gets a
// *store.ConflictError ("user_id").
func (db *DB) CreateAuthToken(ctx context.Context, t *store.AuthToken) error {
	const q = `INSERT INTO auth_tokens (` + authTokenColumns + `) VALUES (?, ?, ?, ?, ?, ?)
		RETURNING ` + authTokenColumns
	row := db.w.QueryRowContext(ctx, db.flavor.rebind(q), t.UserID, t.KeyHash, t.Nonce, t.Prefix,
		sqlTime(t.CreatedAt), nullTime(t.LastUsedAt))
	if err := scanAuthToken(row, t); err != nil {
		return db.flavor.wrap("create auth token", err)
	}
	return nil
}

// GetAuthToken returns the user's classic token or store.ErrNotFound.
func (db *DB) GetAuthToken(ctx context.Context, userID uuid.UUID) (*store.AuthToken, error) {
	return db.getAuthToken(ctx, "get auth token", `user_id = ?`, userID)
}

// GetAuthTokenByHash returns the token whose key hashes to keyHash.
func (db *DB) GetAuthTokenByHash(ctx context.Context, keyHash []byte) (*store.AuthToken, error) {
	if keyHash == nil {
		return nil, fmt.Errorf("get auth token by hash: %w", store.ErrNotFound)
	}
	return db.getAuthToken(ctx, "get auth token by hash", `key_hash = ?`, keyHash)
}

func (db *DB) getAuthToken(ctx context.Context, op, where string, arg any) (*store.AuthToken, error) {
	var t store.AuthToken
	q := `SELECT ` + authTokenColumns + ` FROM auth_tokens WHERE ` + where
	if err := scanAuthToken(db.r.QueryRowContext(ctx, db.flavor.rebind(q), arg), &t); err != nil {
		return nil, db.flavor.wrap(op, err)
	}
	return &t, nil
}

// DeleteAuthToken removes the user's token, or returns store.ErrNotFound.
func (db *DB) DeleteAuthToken(ctx context.Context, userID uuid.UUID) error {
	return db.execOne(ctx, "delete auth token", `DELETE FROM auth_tokens WHERE user_id = ?`, userID)
}

// TouchAuthToken sets last_used_at, or returns store.ErrNotFound.
func (db *DB) TouchAuthToken(ctx context.Context, userID uuid.UUID, now time.Time) error {
	return db.execOne(ctx, "touch auth token", `UPDATE auth_tokens SET last_used_at = ? WHERE user_id = ?`,
		sqlTime(now), userID)
}

// execOne runs a write that must hit exactly one row.
func (db *DB) execOne(ctx context.Context, op, q string, args ...any) error {
	n, err := db.exec(ctx, q, args...)
	if err != nil {
		return db.flavor.wrap(op, err)
	}
	if n == 0 {
		return fmt.Errorf("%s: %w", op, store.ErrNotFound)
	}
	return nil
}
