package sqlstore

import (
	"context"
	"time"

	"github.com/tessera-id/tessera/internal/store"
)

// GetClient returns the client with id, or store.ErrNotFound. Every
// database has store.DefaultClientID, created by the first migration.
func (db *DB) GetClient(ctx context.Context, id string) (*store.Client, error) {
	const q = `SELECT client_id, name, allowed_delivery, access_ttl_seconds, idle_ttl_seconds,
		max_ttl_seconds, cors_origins, audiences, created_at, updated_at
		FROM clients WHERE client_id = ?`
	var (
		c                       store.Client
		delivery, cors, aud     string
		accessTTL, idle, maxTTL int64
	)
	err := db.r.QueryRowContext(ctx, db.flavor.rebind(q), id).Scan(&c.ID, &c.Name, &delivery,
		&accessTTL, &idle, &maxTTL, &cors, &aud, timeDest{&c.CreatedAt}, timeDest{&c.UpdatedAt})
	if err != nil {
		return nil, db.flavor.wrap("get client", err)
	}
	c.AccessTTL = time.Duration(accessTTL) * time.Second
	c.IdleTTL = time.Duration(idle) * time.Second
	c.MaxTTL = time.Duration(maxTTL) * time.Second
	for _, l := range []struct {
		dst  *[]string
		text string
	}{{&c.AllowedDelivery, delivery}, {&c.CORSOrigins, cors}, {&c.Audiences, aud}} {
		if *l.dst, err = decodeList(l.text); err != nil {
			return nil, db.flavor.wrap("get client", err)
		}
	}
	return &c, nil
}
