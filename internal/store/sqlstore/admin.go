package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/store"
)

// startsWith is the condition "column starts with the argument", taking
// prefixArgs: the prefix matches the characters given, case included, on
// both databases. LIKE would not: SQLite's ignores the case of ASCII
// letters (Postgres' does not) and refuses patterns over 50,000 bytes.
// substr counts characters on both.
func startsWith(column string) string {
	return `substr(` + column + `, 1, ?) = ?`
}

// prefixArgs are the arguments of startsWith for prefix.
func prefixArgs(prefix string) []any {
	return []any{utf8.RuneCountInString(prefix), prefix}
}

// keyset appends the condition "row sorts after cursor" for a listing
// ordered by (created_at DESC, id DESC), and its arguments.
func keyset(where []string, args []any, after *store.Cursor) ([]string, []any) {
	if after == nil {
		return where, args
	}
	// Spelled out rather than as a row comparison, which SQLite and
	// Postgres both know but not every Postgres-compatible engine plans
	// well.
	where = append(where, `(created_at < ? OR (created_at = ? AND id < ?))`)
	return where, append(args, sqlTime(after.CreatedAt), sqlTime(after.CreatedAt), after.ID)
}

// ListUsers returns at most q.Limit users, newest (created_at, id) first,
// after q.After, matching q's prefixes and flags. It walks the (created_at,
// id) index and stops after q.Limit matches.
func (db *DB) ListUsers(ctx context.Context, q store.UserQuery) ([]store.User, error) {
	if !validText(q.EmailPrefix) || !validText(q.Search) {
		return nil, nil // no stored text starts with it (see validText)
	}
	where, args := []string{"1 = 1"}, []any{}
	if q.EmailPrefix != "" {
		where = append(where, startsWith("email_normalized"))
		args = append(args, prefixArgs(q.EmailPrefix)...)
	}
	if q.Search != "" {
		where = append(where, `(`+startsWith("email_normalized")+` OR `+startsWith("username_normalized")+`)`)
		args = append(append(args, prefixArgs(q.Search)...), prefixArgs(q.Search)...)
	}
	where, args = userFlagFilters(where, args, q)
	where, args = keyset(where, args, q.After)
	query := `SELECT ` + userColumns + ` FROM users WHERE ` + strings.Join(where, " AND ") +
		` ORDER BY created_at DESC, id DESC LIMIT ?`
	return queryAll(ctx, db, "list users", query, append(args, q.Limit), scanUser)
}

// userFlagFilters appends the conditions of q's Active, Admin and
// Verified filters.
func userFlagFilters(where []string, args []any, q store.UserQuery) ([]string, []any) {
	if q.Active != nil {
		where, args = append(where, "is_active = ?"), append(args, *q.Active)
	}
	if q.Admin != nil {
		where, args = append(where, "is_admin = ?"), append(args, *q.Admin)
	}
	switch {
	case q.Verified == nil:
	case *q.Verified:
		where = append(where, "email_verified_at IS NOT NULL")
	default:
		where = append(where, "email_verified_at IS NULL")
	}
	return where, args
}

// UpdateUserFlags writes the flags f sets, and updated_at, in one UPDATE:
// COALESCE keeps a flag f leaves nil.
func (db *DB) UpdateUserFlags(ctx context.Context, id uuid.UUID, f store.UserFlags) (*store.User, error) {
	const q = `UPDATE users SET is_active = COALESCE(?, is_active), is_admin = COALESCE(?, is_admin),
		email_verified_at = CASE WHEN ? THEN ? ELSE email_verified_at END, updated_at = ?
		WHERE id = ? RETURNING ` + userColumns
	var u store.User
	row := db.w.QueryRowContext(ctx, db.flavor.rebind(q), nullBool(f.IsActive), nullBool(f.IsAdmin),
		f.SetEmailVerified, nullTime(f.EmailVerifiedAt), sqlTime(f.UpdatedAt), id)
	if err := scanUser(row, &u); err != nil {
		return nil, db.flavor.wrap("update user flags", err)
	}
	return &u, nil
}

func nullBool(b *bool) any {
	if b == nil {
		return nil
	}
	return *b
}

// ListSessions returns at most q.Limit sessions of q.UserID, newest
// (created_at, id) first, after q.After; only those active at q.ActiveAt
// when it is set.
func (db *DB) ListSessions(ctx context.Context, q store.SessionQuery) ([]store.Session, error) {
	where, args := []string{"user_id = ?"}, []any{q.UserID}
	if q.ActiveAt != nil {
		at := sqlTime(*q.ActiveAt)
		where = append(where, `revoked_at IS NULL AND idle_expires_at > ? AND expires_at > ?`)
		args = append(args, at, at)
	}
	where, args = keyset(where, args, q.After)
	query := `SELECT ` + sessionColumns + ` FROM sessions WHERE ` + strings.Join(where, " AND ") +
		` ORDER BY created_at DESC, id DESC LIMIT ?`
	return queryAll(ctx, db, "list sessions", query, append(args, q.Limit), scanSession)
}

// queryAll runs a read and scans each row into a T with scan.
func queryAll[T any](ctx context.Context, db *DB, op, q string, args []any, scan func(rowScanner, *T) error) ([]T, error) {
	rows, err := db.r.QueryContext(ctx, db.flavor.rebind(q), args...)
	return collect(db, op, rows, err, scan)
}

// collect scans each of rows (the outcome of a query that failed when err
// is set) into a T with scan, and closes them.
func collect[T any](db *DB, op string, rows *sql.Rows, qerr error, scan func(rowScanner, *T) error) (_ []T, err error) {
	if qerr != nil {
		return nil, db.flavor.wrap(op, qerr)
	}
	defer func() { err = errors.Join(err, rows.Close()) }()
	var list []T
	for rows.Next() {
		var v T
		if err := scan(rows, &v); err != nil {
			return nil, db.flavor.wrap(op, err)
		}
		list = append(list, v)
	}
	if err := rows.Err(); err != nil {
		return nil, db.flavor.wrap(op, err)
	}
	return list, nil
}
