package sqlstore

import (
	"context"
	"fmt"

	"github.com/tessera-id/tessera/internal/store"
)

// GetClient returns the client with id, or store.ErrNotFound. Every
// database has store.DefaultClientID, created by the first migration.
func (db *DB) GetClient(ctx context.Context, id string) (*store.Client, error) {
	if !validText(id) {
		return nil, fmt.Errorf("get client: %w", store.ErrNotFound)
	}
	var c store.Client
	q := `SELECT ` + clientColumns + ` FROM clients WHERE client_id = ?`
	if err := scanClient(db.r.QueryRowContext(ctx, db.flavor.rebind(q), id), &c); err != nil {
		return nil, db.flavor.wrap("get client", err)
	}
	return &c, nil
}
