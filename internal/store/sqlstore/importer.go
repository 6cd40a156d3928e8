package sqlstore

import (
	"context"
	"errors"

	"github.com/tessera-id/tessera/internal/store"
)

// GetUserByExternalID returns the user whose external id is externalID, or
// store.ErrNotFound.
func (db *DB) GetUserByExternalID(ctx context.Context, externalID string) (*store.User, error) {
	return db.getUser(ctx, "get user by external id",
		`SELECT `+userColumns+` FROM users WHERE external_id = ?`, externalID)
}

// CountPasswordHashes streams the password_hash column (never the whole
// table in memory) and counts the rows by classify's names.
func (db *DB) CountPasswordHashes(ctx context.Context, classify func(string) string) (counts map[string]int64, err error) {
	rows, err := db.r.QueryContext(ctx, `SELECT password_hash FROM users`)
	if err != nil {
		return nil, db.flavor.wrap("count password hashes", err)
	}
	defer func() { err = errors.Join(err, rows.Close()) }()
	counts = map[string]int64{}
	var h string
	for rows.Next() {
		if err := rows.Scan(&h); err != nil {
			return nil, db.flavor.wrap("count password hashes", err)
		}
		counts[classify(h)]++
	}
	if err := rows.Err(); err != nil {
		return nil, db.flavor.wrap("count password hashes", err)
	}
	return counts, nil
}
