package auth

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/tessera-id/tessera/internal/store"
)

// clientCacheTTL is how long a replica trusts its copy of a client: every
// login and refresh needs one, and clients change rarely. Changes made
// through this replica apply at once; those made on another within this long.
const clientCacheTTL = 10 * time.Second

// clientCache keeps clients (and unknown client ids) by id. Entries are
// shared and must not be modified.
type clientCache struct {
	mu sync.RWMutex
	m  map[string]cachedClient
}

type cachedClient struct {
	c  *store.Client // nil: no such client
	at time.Time
}

// getClient returns the client with id from the cache or the store;
// unknown ids give store.ErrNotFound, cached like found ones.
func (s *Service) getClient(ctx context.Context, id string) (*store.Client, error) {
	now := s.now()
	s.clients.mu.RLock()
	e, ok := s.clients.m[id]
	s.clients.mu.RUnlock()
	if ok && now.Sub(e.at) < clientCacheTTL && !now.Before(e.at) {
		if e.c == nil {
			return nil, store.ErrNotFound
		}
		return e.c, nil
	}
	c, err := s.store.GetClient(ctx, id)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	s.clients.mu.Lock()
	if s.clients.m == nil {
		s.clients.m = map[string]cachedClient{}
	}
	s.clients.m[id] = cachedClient{c: c, at: now}
	s.clients.mu.Unlock()
	return c, err
}

// forgetClient drops id from the cache after an admin change.
func (s *Service) forgetClient(id string) {
	s.clients.mu.Lock()
	delete(s.clients.m, id)
	s.clients.mu.Unlock()
}
