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

// clientCacheMax bounds the cache. Unknown ids are cached too (a flood of
// one made-up id costs one query per TTL), and anyone may send them, so
// without a bound the cache would grow by one entry per id ever tried.
const clientCacheMax = 1024

// clientCache keeps clients (and unknown client ids) by id, at most
// clientCacheMax of them. Entries are shared and must not be modified.
type clientCache struct {
	mu sync.RWMutex
	m  map[string]cachedClient
}

type cachedClient struct {
	c  *store.Client // nil: no such client
	at time.Time
}

func (e cachedClient) fresh(now time.Time) bool {
	return now.Sub(e.at) < clientCacheTTL && !now.Before(e.at)
}

// getClient returns the client with id from the cache or the store;
// unknown ids give store.ErrNotFound, cached like found ones. Callers
// check id's shape first (validClientID), so no id that cannot exist
// reaches the store or the cache.
func (s *Service) getClient(ctx context.Context, id string) (*store.Client, error) {
	now := s.now()
	s.clients.mu.RLock()
	e, ok := s.clients.m[id]
	s.clients.mu.RUnlock()
	if ok && e.fresh(now) {
		if e.c == nil {
			return nil, store.ErrNotFound
		}
		return e.c, nil
	}
	c, err := s.store.GetClient(ctx, id)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	s.clients.put(id, cachedClient{c: c, at: now})
	return c, err
}

// put stores e under id, making room first when the cache is full.
func (cc *clientCache) put(id string, e cachedClient) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if cc.m == nil {
		cc.m = map[string]cachedClient{}
	}
	if _, ok := cc.m[id]; !ok && len(cc.m) >= clientCacheMax {
		cc.evict(e.at)
	}
	cc.m[id] = e
}

// evict drops stale entries and unknown ids; if real clients alone still
// fill the cache, it drops arbitrary ones down to three quarters, so that
// each eviction frees many slots and its cost is shared by many puts.
func (cc *clientCache) evict(now time.Time) {
	for id, e := range cc.m {
		if e.c == nil || !e.fresh(now) {
			delete(cc.m, id)
		}
	}
	for id := range cc.m {
		if len(cc.m) < clientCacheMax*3/4 {
			return
		}
		delete(cc.m, id)
	}
}

// errMalformedClientID answers an id that cannot name a client; it does not
// quote the id, which may be anything up to the request size limit.
var errMalformedClientID = Errorf(CodeInvalidClient,
	"client_id must be 1-64 characters of a-z, 0-9, '.', '_' and '-', starting with a letter or digit")

// validClientID reports whether id has the shape AdminCreateClient allows
// (1-64 characters of a-z, 0-9, '.', '_' and '-'); any other id cannot name
// a client.
func validClientID(id string) bool {
	return len(id) <= 64 && clientIDPattern.MatchString(id)
}

// forgetClient drops id from the cache after an admin change.
func (s *Service) forgetClient(id string) {
	s.clients.mu.Lock()
	delete(s.clients.m, id)
	s.clients.mu.Unlock()
}
