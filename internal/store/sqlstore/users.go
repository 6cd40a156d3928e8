package sqlstore

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/store"
)

const userColumns = `id, email, email_normalized, username, username_normalized, password_hash,
	is_active, is_admin, email_verified_at, created_at, updated_at, last_login_at,
	failed_logins, locked_until, password_changed_at, first_name, last_name, external_id, groups`

// rowScanner is a *sql.Row or *sql.Rows.
type rowScanner interface {
	Scan(dest ...any) error
}

// scanUser reads userColumns, in order, into u.
func scanUser(sc rowScanner, u *store.User) error {
	return sc.Scan(&u.ID, &u.Email, &u.EmailNormalized, &u.Username, &u.UsernameNormalized,
		&u.PasswordHash, &u.IsActive, &u.IsAdmin, nullTimeDest{&u.EmailVerifiedAt},
		timeDest{&u.CreatedAt}, timeDest{&u.UpdatedAt}, nullTimeDest{&u.LastLoginAt},
		&u.FailedLogins, nullTimeDest{&u.LockedUntil}, timeDest{&u.PasswordChangedAt},
		&u.FirstName, &u.LastName, &u.ExternalID, listDest{&u.Groups})
}

// CreateUser inserts u and then holds in u exactly what was stored (times
// in UTC, truncated to microseconds). A taken normalised e-mail or username
// is a *store.ConflictError naming "email" or "username"; a taken id names
// "id".
func (db *DB) CreateUser(ctx context.Context, u *store.User) error {
	const q = `INSERT INTO users (` + userColumns + `)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		RETURNING ` + userColumns
	groups, err := encodeList(u.Groups)
	if err != nil {
		return fmt.Errorf("create user: %w", err)
	}
	row := db.w.QueryRowContext(ctx, db.flavor.rebind(q),
		u.ID, u.Email, u.EmailNormalized, u.Username, u.UsernameNormalized,
		u.PasswordHash, u.IsActive, u.IsAdmin, nullTime(u.EmailVerifiedAt),
		sqlTime(u.CreatedAt), sqlTime(u.UpdatedAt), nullTime(u.LastLoginAt),
		u.FailedLogins, nullTime(u.LockedUntil), sqlTime(u.PasswordChangedAt),
		u.FirstName, u.LastName, u.ExternalID, groups)
	if err := scanUser(row, u); err != nil {
		return db.flavor.wrap("create user", err)
	}
	return nil
}

// UpdateUser writes every field of u but ID and CreatedAt, then holds in u
// what was stored. Unknown id: store.ErrNotFound; a normalised e-mail or
// username taken by another user: *store.ConflictError.
func (db *DB) UpdateUser(ctx context.Context, u *store.User) error {
	const q = `UPDATE users SET email = ?, email_normalized = ?, username = ?,
		username_normalized = ?, password_hash = ?, is_active = ?, is_admin = ?,
		email_verified_at = ?, updated_at = ?, last_login_at = ?, failed_logins = ?,
		locked_until = ?, password_changed_at = ?, first_name = ?, last_name = ?,
		external_id = ?, groups = ?
		WHERE id = ?
		RETURNING ` + userColumns
	groups, err := encodeList(u.Groups)
	if err != nil {
		return fmt.Errorf("update user: %w", err)
	}
	row := db.w.QueryRowContext(ctx, db.flavor.rebind(q),
		u.Email, u.EmailNormalized, u.Username,
		u.UsernameNormalized, u.PasswordHash, u.IsActive, u.IsAdmin,
		nullTime(u.EmailVerifiedAt), sqlTime(u.UpdatedAt), nullTime(u.LastLoginAt), u.FailedLogins,
		nullTime(u.LockedUntil), sqlTime(u.PasswordChangedAt), u.FirstName, u.LastName,
		u.ExternalID, groups,
		u.ID)
	if err := scanUser(row, u); err != nil {
		return db.flavor.wrap("update user", err)
	}
	return nil
}

// GetUser returns the user with id, or store.ErrNotFound.
func (db *DB) GetUser(ctx context.Context, id uuid.UUID) (*store.User, error) {
	return db.getUser(ctx, "get user", `SELECT `+userColumns+` FROM users WHERE id = ?`, id)
}

// GetUserByEmail returns the user whose normalised e-mail is
// emailNormalized, or store.ErrNotFound.
func (db *DB) GetUserByEmail(ctx context.Context, emailNormalized string) (*store.User, error) {
	return db.getUser(ctx, "get user by email",
		`SELECT `+userColumns+` FROM users WHERE email_normalized = ?`, emailNormalized)
}

// GetUserByUsername returns the user whose normalised username is
// usernameNormalized, or store.ErrNotFound.
func (db *DB) GetUserByUsername(ctx context.Context, usernameNormalized string) (*store.User, error) {
	return db.getUser(ctx, "get user by username",
		`SELECT `+userColumns+` FROM users WHERE username_normalized = ?`, usernameNormalized)
}

// getUser reads one user with q, one of the statements above (prepared:
// every sign-in looks its account up).
func (db *DB) getUser(ctx context.Context, op, q string, arg any) (*store.User, error) {
	if !validText(arg) {
		return nil, fmt.Errorf("%s: %w", op, store.ErrNotFound)
	}
	var u store.User
	if err := scanUser(db.preparedRow(ctx, db.r, q, arg), &u); err != nil {
		return nil, db.flavor.wrap(op, err)
	}
	return &u, nil
}

// validText reports whether arg, when it is a string, is text Postgres
// can hold (store.IsText). A look-up by other text finds nothing on
// either database without asking it: Postgres would refuse the statement
// (an error, where SQLite answers "no row").
func validText(arg any) bool {
	s, ok := arg.(string)
	return !ok || store.IsText(s)
}

// recordLogin is RecordLogin's conditional update: it touches an active
// user only, and swaps the password hash only from the one that was
// verified. $1 now, $2 the new hash (empty for none), $3 the verified one,
// $4 the user.
const recordLogin = `UPDATE users SET last_login_at = $1, updated_at = $1,
		password_hash = CASE WHEN $2 <> '' AND password_hash = $3 THEN $2 ELSE password_hash END
		WHERE id = $4 AND is_active
		RETURNING ` + userColumns

// recordLoginCleared is recordLogin that also deletes the throttle
// counter $5, in one statement: a sign-in's second write costs no round
// trip and no commit of its own.
const recordLoginCleared = `WITH cleared AS (DELETE FROM login_throttle WHERE key = $5)
	` + recordLogin

// RecordLogin runs recordLogin, with the throttle counter cleared in the
// same statement where the database takes a DELETE in WITH (Postgres),
// just before it elsewhere (SQLite, whose writes do not wait on a
// network round trip).
func (db *DB) RecordLogin(ctx context.Context, r store.LoginRecord) (*store.User, error) {
	q, args := recordLogin, []any{sqlTime(r.Now), r.NewHash, r.OldHash, r.ID}
	switch {
	case r.ClearThrottle != "" && db.flavor.writableCTE:
		q, args = recordLoginCleared, append(args, r.ClearThrottle)
	case r.ClearThrottle != "":
		if err := db.ClearLoginFailures(ctx, r.ClearThrottle); err != nil {
			return nil, err
		}
	}
	var u store.User
	if err := scanUser(db.preparedRow(ctx, db.w, q, args...), &u); err != nil {
		return nil, db.flavor.wrap("record login", err)
	}
	return &u, nil
}
