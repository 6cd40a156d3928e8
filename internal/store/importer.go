package store

import "context"

// ImportStore holds what importing accounts from another system needs: a
// look-up by the id an account had there, and a census of password hash
// schemes so operators can watch foreign hashes turn into argon2id.
type ImportStore interface {
	// GetUserByExternalID returns the user imported as externalID
	// ("django:42"), or ErrNotFound.
	GetUserByExternalID(ctx context.Context, externalID string) (*User, error)
	// CountPasswordHashes reads every user's password hash, one row at a
	// time, and counts them by the name classify gives each.
	CountPasswordHashes(ctx context.Context, classify func(hash string) string) (map[string]int64, error)
}
