package jwtverify_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tessera-id/tessera/pkg/jwtverify"
)

// fakeClock is a settable clock, safe for concurrent use.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: testNow} }

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *fakeClock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// jwksServer is a real HTTP server publishing a JWKS the test changes, and
// counting the requests it answers.
type jwksServer struct {
	*httptest.Server
	hits atomic.Int64

	mu           sync.Mutex
	body         []byte
	status       int           // when non-zero, answer this status and no JWKS
	cacheControl string        // Cache-Control of JWKS answers
	age          string        // Age header, when non-empty
	etag         string        // when non-empty, sent and honoured in If-None-Match
	delay        time.Duration // before answering
	inm          []string      // If-None-Match of each request
}

func newJWKSServer(tb testing.TB, signers ...*signer) *jwksServer {
	tb.Helper()
	s := &jwksServer{cacheControl: "public, max-age=300"}
	s.setKeys(tb, signers...)
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	tb.Cleanup(s.Close)
	return s
}

func (s *jwksServer) serve(w http.ResponseWriter, r *http.Request) {
	s.hits.Add(1)
	s.mu.Lock()
	body, status, cc, age, etag, delay := s.body, s.status, s.cacheControl, s.age, s.etag, s.delay
	s.inm = append(s.inm, r.Header.Get("If-None-Match"))
	s.mu.Unlock()
	time.Sleep(delay)
	if status != 0 {
		http.Error(w, `{"error":"server_error"}`, status)
		return
	}
	w.Header().Set("Cache-Control", cc)
	if age != "" {
		w.Header().Set("Age", age)
	}
	if etag != "" {
		w.Header().Set("ETag", etag)
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	w.Header().Set("Content-Type", "application/jwk-set+json")
	w.Write(body)
}

// setKeys publishes the public keys of signers.
func (s *jwksServer) setKeys(tb testing.TB, signers ...*signer) {
	tb.Helper()
	var keys []map[string]any
	for _, sg := range signers {
		keys = append(keys, publicJWK(tb, sg, nil))
	}
	s.setBody(jwksDoc(tb, keys...))
}

func (s *jwksServer) setBody(b []byte)   { s.mu.Lock(); s.body = b; s.mu.Unlock() }
func (s *jwksServer) setStatus(code int) { s.mu.Lock(); s.status = code; s.mu.Unlock() }
func (s *jwksServer) set(f func(s *jwksServer)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(s)
}

// newRemoteVerifier verifies against srv's JWKS on clock.
func newRemoteVerifier(tb testing.TB, url string, clock *fakeClock, opts ...jwtverify.KeySetOption) (*jwtverify.Verifier, *jwtverify.RemoteKeySet) {
	tb.Helper()
	ks := jwtverify.NewRemoteKeySet(context.Background(), url, append([]jwtverify.KeySetOption{jwtverify.WithClock(clock.Now)}, opts...)...)
	v, err := jwtverify.NewVerifier(ks, jwtverify.WithIssuer(testIssuer), jwtverify.WithAudience(testAudience), jwtverify.WithClock(clock.Now))
	if err != nil {
		tb.Fatal(err)
	}
	return v, ks
}

// tokenAt signs a valid token issued at now for session sid.
func tokenAt(tb testing.TB, s *signer, now time.Time, sid string) string {
	tb.Helper()
	c := validClaims()
	c["iat"], c["nbf"], c["exp"] = now.Unix(), now.Unix(), now.Add(15*time.Minute).Unix()
	if sid != "" {
		c["sid"] = sid
	}
	return sign(tb, s, validHeader(s), c)
}

// feedServer is a real HTTP server playing Tessera's revocation feed:
// cursors are "<epoch>.<position>"; a cursor of another epoch is refused
// with 400, as a restarted or reconfigured issuer would.
type feedServer struct {
	*httptest.Server

	mu       sync.Mutex
	entries  []feedEntry
	epoch    int
	status   int    // when non-zero, answer this status
	raw      string // when non-empty, answer this body
	poll     int    // poll_interval announced
	pageSize int    // entries per answer; zero: all
	queries  []string
}

type feedEntry struct {
	SID       string    `json:"sid"`
	RevokedAt time.Time `json:"revoked_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

func newFeedServer(tb testing.TB) *feedServer {
	tb.Helper()
	f := &feedServer{poll: 30, epoch: 1}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	tb.Cleanup(f.Close)
	return f
}

func (f *feedServer) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.queries = append(f.queries, r.URL.RawQuery)
	if f.status != 0 {
		http.Error(w, `{"error":"server_error"}`, f.status)
		return
	}
	if f.raw != "" {
		w.Write([]byte(f.raw))
		return
	}
	from := 0
	if since := r.URL.Query().Get("since"); since != "" {
		ep, pos, ok := strings.Cut(since, ".")
		n, err := strconv.Atoi(pos)
		if !ok || ep != strconv.Itoa(f.epoch) || err != nil || n > len(f.entries) {
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(`{"error":"invalid_request","error_description":"unknown cursor; start again without it"}`))
			return
		}
		from = n
	}
	to := len(f.entries)
	if f.pageSize > 0 {
		to = min(to, from+f.pageSize)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", fmt.Sprintf("public, max-age=%d", f.poll/2))
	json.NewEncoder(w).Encode(map[string]any{
		"revocations":   append([]feedEntry{}, f.entries[from:to]...),
		"cursor":        fmt.Sprintf("%d.%d", f.epoch, to),
		"poll_interval": f.poll,
	})
}

// revoke publishes the revocation of sid, whose tokens all expire at exp.
func (f *feedServer) revoke(sid string, at, exp time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.entries = append(f.entries, feedEntry{SID: sid, RevokedAt: at, ExpiresAt: exp})
}

func (f *feedServer) set(fn func(f *feedServer)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

func (f *feedServer) requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.queries...)
}

// unknownKidToken signs a valid token whose kid no key set holds.
func unknownKidToken(tb testing.TB, s *signer, i int) string {
	tb.Helper()
	h := validHeader(s)
	h["kid"] = fmt.Sprintf("made-up-%d", i)
	return sign(tb, s, h, validClaims())
}
