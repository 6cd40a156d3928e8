package auth

import (
	"context"
	"crypto/sha256"
	"sync"
	"time"

	"github.com/tessera-id/tessera/pkg/jwtverify"
)

// accessCacheSize bounds each of the cache's two generations: at most
// twice this many verified tokens are remembered (a few MB).
const accessCacheSize = 8192

// accessCache remembers access tokens whose signature and claims were
// verified, by the SHA-256 of their text (never the text itself), until
// they expire: a browser sends the same token with every request for its
// whole life, and checking its ECDSA signature again each time is half
// the CPU of an authenticated read. It only spares the offline check:
// the session and user are still read on every request, so a revocation
// still takes effect at once. When full, the older generation is dropped
// (a cheap approximation of least-recently-used).
//
// Written here rather than taken from a library: a bounded map with an
// expiry is all it is.
type accessCache struct {
	mu        sync.RWMutex
	cur, prev map[[sha256.Size]byte]verifiedAccess
}

type verifiedAccess struct {
	claims *jwtverify.Claims
	until  time.Time
}

// verify returns raw's claims, from the cache while the token has not
// expired at now, or from v (remembering a success). The claims returned
// are shared between callers and must not be modified.
func (c *accessCache) verify(ctx context.Context, v *jwtverify.Verifier, raw string, now time.Time) (*jwtverify.Claims, error) {
	key := sha256.Sum256([]byte(raw))
	c.mu.RLock()
	e, ok := c.cur[key]
	if !ok {
		e, ok = c.prev[key]
	}
	c.mu.RUnlock()
	if ok && now.Before(e.until) {
		return e.claims, nil
	}
	claims, err := v.Verify(ctx, raw)
	if err != nil {
		return nil, err
	}
	if claims.ExpiresAt != nil {
		c.put(key, verifiedAccess{claims: claims, until: claims.ExpiresAt.Time})
	}
	return claims, nil
}

func (c *accessCache) put(key [sha256.Size]byte, e verifiedAccess) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cur == nil || len(c.cur) >= accessCacheSize {
		c.prev, c.cur = c.cur, make(map[[sha256.Size]byte]verifiedAccess, accessCacheSize/4)
	}
	c.cur[key] = e
}
