package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/store"
)

// sessionUserQuery reads a session and its user in one round trip.
var sessionUserQuery = `SELECT ` + qualified("s", sessionColumns) + `, ` + qualified("u", userColumns) + `
	FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = ?`

// sessionAuthColumns are the columns of a store.SessionAuth, in
// scanSessionAuth's order.
const sessionAuthColumns = `id, user_id, client_id, idle_expires_at, expires_at, revoked_at,
	auth_time, amr, scope, mfa_at`

// sessionAuthUserQuery reads what authenticating a request needs of a
// session, and its user, in one round trip: ten of the session's 23
// columns, less for the database to project and for the driver to decode
// on every request with an access token.
var sessionAuthUserQuery = `SELECT ` + qualified("s", sessionAuthColumns) + `, ` + qualified("u", userColumns) + `
	FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = ?`

func scanSessionAuth(sc rowScanner, s *store.SessionAuth) error {
	return sc.Scan(&s.ID, &s.UserID, &s.ClientID, timeDest{&s.IdleExpiresAt}, timeDest{&s.ExpiresAt},
		nullTimeDest{&s.RevokedAt}, nullTimeDest{&s.AuthTime}, listDest{&s.AMR}, listDest{&s.Scope},
		nullTimeDest{&s.MFAAt})
}

// sessionUserBySecretQuery reads a browser's session (a cookie or sso
// session) and its user in one round trip.
var sessionUserBySecretQuery = `SELECT ` + qualified("s", sessionColumns) + `, ` + qualified("u", userColumns) + `
	FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.secret_hash = ?`

// tokenUserQuery reads a classic token and its user in one round trip.
var tokenUserQuery = `SELECT ` + qualified("t", authTokenColumns) + `, ` + qualified("u", userColumns) + `
	FROM auth_tokens t JOIN users u ON u.id = t.user_id WHERE t.key_hash = ?`

// qualified prefixes every column of a column list with alias.
func qualified(alias, columns string) string {
	parts := strings.Split(columns, ",")
	for i, p := range parts {
		parts[i] = alias + "." + strings.TrimSpace(p)
	}
	return strings.Join(parts, ", ")
}

// collector gathers the destinations of several scan functions so one row
// can fill them all.
type collector struct{ dests []any }

func (c *collector) Scan(dest ...any) error {
	c.dests = append(c.dests, dest...)
	return nil
}

// withUser scans one row holding the columns scanFirst reads, then
// userColumns, into u.
func withUser(row rowScanner, u *store.User, scanFirst func(rowScanner) error) error {
	var c collector
	_ = scanFirst(&c)
	_ = scanUser(&c, u)
	return row.Scan(c.dests...)
}

// GetSessionAndUser returns session id and its user, or store.ErrNotFound.
func (db *DB) GetSessionAndUser(ctx context.Context, id uuid.UUID) (*store.Session, *store.User, error) {
	return readWithUser(ctx, db, "get session and user", sessionUserQuery, id, scanSession)
}

// GetSessionAuthAndUser returns what authenticating a request reads of
// session id, and its user, or store.ErrNotFound.
func (db *DB) GetSessionAuthAndUser(ctx context.Context, id uuid.UUID) (*store.SessionAuth, *store.User, error) {
	return readWithUser(ctx, db, "get session auth and user", sessionAuthUserQuery, id, scanSessionAuth)
}

// GetSessionAndUserBySecret returns the session whose SecretHash is
// secretHash, active or not (the caller checks ActiveAt), and its user, or
// store.ErrNotFound.
func (db *DB) GetSessionAndUserBySecret(ctx context.Context, secretHash []byte) (*store.Session, *store.User, error) {
	if secretHash == nil {
		return nil, nil, fmt.Errorf("get session and user by secret: %w", store.ErrNotFound)
	}
	return readWithUser(ctx, db, "get session and user by secret", sessionUserBySecretQuery, secretHash, scanSession)
}

// readWithUser runs query, a read of one row holding the columns scan
// reads and then userColumns, with its one argument key.
func readWithUser[T any](ctx context.Context, db *DB, op, query string, key any, scan func(rowScanner, *T) error) (*T, *store.User, error) {
	var (
		first T
		u     store.User
	)
	row := db.preparedRow(ctx, db.r, query, key)
	if err := withUser(row, &u, func(sc rowScanner) error { return scan(sc, &first) }); err != nil {
		return nil, nil, db.flavor.wrap(op, err)
	}
	return &first, &u, nil
}

// GetAuthTokenAndUser returns the classic token whose key hashes to
// keyHash and its user, or store.ErrNotFound.
func (db *DB) GetAuthTokenAndUser(ctx context.Context, keyHash []byte) (*store.AuthToken, *store.User, error) {
	if keyHash == nil {
		return nil, nil, fmt.Errorf("get auth token and user: %w", store.ErrNotFound)
	}
	return readWithUser(ctx, db, "get auth token and user", tokenUserQuery, keyHash, scanAuthToken)
}
