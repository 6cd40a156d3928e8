package httpapi

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
)

// clientOriginsTTL is how long a replica trusts its copy of the clients'
// CORS origins. A change through this replica's admin API applies at once;
// one made through another replica or the command line within this time.
const clientOriginsTTL = 10 * time.Second

// originCache keeps the union of every client's cors_origins in memory,
// so the CORS check of a request is a map look-up, and a database read
// happens at most once per clientOriginsTTL (by one request, never by all
// of those arriving meanwhile, which keep using the previous copy).
type originCache struct {
	load func(ctx context.Context) ([]string, error)
	log  *slog.Logger
	mu   sync.Mutex // held while loading
	set  atomic.Pointer[originSet]
}

type originSet struct {
	origins  map[string]bool
	loadedAt time.Time
}

func (s *originSet) fresh() bool { return s != nil && time.Since(s.loadedAt) < clientOriginsTTL }

// allowed reports whether some client lists origin. Only the first call
// waits for a load; later ones use the copy they find while it is renewed.
func (oc *originCache) allowed(ctx context.Context, origin string) bool {
	cur := oc.set.Load()
	if !cur.fresh() {
		if cur == nil {
			oc.mu.Lock()
		} else if !oc.mu.TryLock() {
			return cur.origins[origin]
		}
		cur = oc.reloadLocked(ctx, false)
		oc.mu.Unlock()
	}
	return cur.origins[origin]
}

// reload reads the origins now, after a change made through this replica.
func (oc *originCache) reload(ctx context.Context) {
	oc.mu.Lock()
	defer oc.mu.Unlock()
	oc.reloadLocked(ctx, true)
}

// reloadLocked loads the origins unless another caller just did (force
// loads anyway). When the database fails it keeps the previous copy for
// another clientOriginsTTL rather than retry on every request.
func (oc *originCache) reloadLocked(ctx context.Context, force bool) *originSet {
	cur := oc.set.Load()
	if !force && cur.fresh() {
		return cur
	}
	next := &originSet{origins: map[string]bool{}, loadedAt: time.Now()}
	list, err := oc.load(ctx)
	if err != nil {
		oc.log.WarnContext(ctx, "client CORS origins not refreshed", "err", err)
		if cur != nil {
			next.origins = cur.origins
		}
	}
	for _, o := range list {
		next.origins[o] = true
	}
	oc.set.Store(next)
	return next
}

// originCaches holds each Server's originCache. It lives here, keyed by
// the Server, rather than as a field of Server so the admin feature stays
// in its own files.
var originCaches sync.Map // *Server -> *originCache

func (s *Server) clientOrigins() *originCache {
	v, _ := originCaches.Load(s)
	oc, _ := v.(*originCache)
	return oc
}

// allowedOrigin reports whether origin may call with credentials: the
// issuer's own, one of TESSERA_CORS_ORIGINS, or one a client lists.
func (s *Server) allowedOrigin(c *gin.Context, origin string) bool {
	if s.origins[origin] {
		return true
	}
	oc := s.clientOrigins()
	return oc != nil && oc.allowed(c.Request.Context(), origin)
}
