package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/store"
)

const oneTimeColumns = `id, user_id, purpose, token_hash, email, expires_at, used_at, created_at`

func scanOneTime(sc rowScanner, t *store.OneTimeToken) error {
	var email sql.NullString
	err := sc.Scan(&t.ID, &t.UserID, &t.Purpose, &t.TokenHash, &email,
		timeDest{&t.ExpiresAt}, nullTimeDest{&t.UsedAt}, timeDest{&t.CreatedAt})
	t.Email = email.String
	return err
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// CreateOneTimeToken deletes the user's other tokens of t's purpose and
// inserts t, in one transaction, then holds in t what was stored.
func (db *DB) CreateOneTimeToken(ctx context.Context, t *store.OneTimeToken) (err error) {
	const (
		del = `DELETE FROM one_time_tokens WHERE user_id = ? AND purpose = ?`
		ins = `INSERT INTO one_time_tokens (` + oneTimeColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			RETURNING ` + oneTimeColumns
	)
	tx, err := db.w.BeginTxx(ctx, nil)
	if err != nil {
		return db.flavor.wrap("create one-time token", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback() // the error that made us roll back is the one to report
		}
	}()
	if _, err = tx.ExecContext(ctx, db.flavor.rebind(del), t.UserID, t.Purpose); err != nil {
		return db.flavor.wrap("create one-time token", err)
	}
	row := tx.QueryRowContext(ctx, db.flavor.rebind(ins), t.ID, t.UserID, t.Purpose, t.TokenHash,
		nullString(t.Email), sqlTime(t.ExpiresAt), nullTime(t.UsedAt), sqlTime(t.CreatedAt))
	if err = scanOneTime(row, t); err != nil {
		return db.flavor.wrap("create one-time token", err)
	}
	if err = tx.Commit(); err != nil {
		return db.flavor.wrap("create one-time token", err)
	}
	return nil
}

// GetOneTimeTokenByHash returns the token whose hash is hash, or
// store.ErrNotFound.
func (db *DB) GetOneTimeTokenByHash(ctx context.Context, hash []byte) (*store.OneTimeToken, error) {
	if len(hash) == 0 {
		return nil, fmt.Errorf("get one-time token: %w", store.ErrNotFound)
	}
	var t store.OneTimeToken
	q := `SELECT ` + oneTimeColumns + ` FROM one_time_tokens WHERE token_hash = ?`
	if err := scanOneTime(db.r.QueryRowContext(ctx, db.flavor.rebind(q), hash), &t); err != nil {
		return nil, db.flavor.wrap("get one-time token", err)
	}
	return &t, nil
}

// GetUserOneTimeToken returns the user's newest token of purpose, or
// store.ErrNotFound.
func (db *DB) GetUserOneTimeToken(ctx context.Context, userID uuid.UUID, purpose string) (*store.OneTimeToken, error) {
	var t store.OneTimeToken
	q := `SELECT ` + oneTimeColumns + ` FROM one_time_tokens WHERE user_id = ? AND purpose = ?
		ORDER BY created_at DESC, id DESC LIMIT 1`
	if err := scanOneTime(db.r.QueryRowContext(ctx, db.flavor.rebind(q), userID, purpose), &t); err != nil {
		return nil, db.flavor.wrap("get user one-time token", err)
	}
	return &t, nil
}

// UseOneTimeToken marks the token used at now if it is unused, unexpired
// and the newest of its user and purpose; otherwise store.ErrStale (unknown
// id: store.ErrNotFound). The condition and the write are one statement, so
// of concurrent callers exactly one wins.
func (db *DB) UseOneTimeToken(ctx context.Context, id uuid.UUID, now time.Time) error {
	const q = `UPDATE one_time_tokens SET used_at = ?
		WHERE id = ? AND used_at IS NULL AND expires_at > ?
			AND NOT EXISTS (SELECT 1 FROM one_time_tokens newer
				WHERE newer.user_id = one_time_tokens.user_id
					AND newer.purpose = one_time_tokens.purpose
					AND (newer.created_at > one_time_tokens.created_at
						OR (newer.created_at = one_time_tokens.created_at AND newer.id > one_time_tokens.id)))`
	n, err := db.exec(ctx, q, sqlTime(now), id, sqlTime(now))
	if err == nil && n == 0 {
		err = db.staleOrMissing(ctx, "one_time_tokens", id)
	}
	if err != nil {
		return db.flavor.wrap("use one-time token", err)
	}
	return nil
}

// DeleteOneTimeTokens removes the user's tokens of purpose, or of every
// purpose when purpose is "".
func (db *DB) DeleteOneTimeTokens(ctx context.Context, userID uuid.UUID, purpose string) (int, error) {
	q, args := `DELETE FROM one_time_tokens WHERE user_id = ?`, []any{userID}
	if purpose != "" {
		q, args = q+` AND purpose = ?`, append(args, purpose)
	}
	n, err := db.exec(ctx, q, args...)
	if err != nil {
		return 0, db.flavor.wrap("delete one-time tokens", err)
	}
	return int(n), nil
}
