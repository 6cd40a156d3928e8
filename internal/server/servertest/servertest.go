// Package servertest starts a real Tessera (real database, real keys, real
// HTTP on a loopback port) for tests, with a clock the test controls.
package servertest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tessera-id/tessera/internal/config"
	"github.com/tessera-id/tessera/internal/mail"
	"github.com/tessera-id/tessera/internal/password"
	"github.com/tessera-id/tessera/internal/server"
	"github.com/tessera-id/tessera/internal/store/sqlstore"
)

// Clock is a settable clock, safe for concurrent use.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// TestServer is a running Tessera.
type TestServer struct {
	*server.Server
	URL   string
	Clock *Clock
	HTTP  *httptest.Server
}

// FastHash are cheap argon2id parameters so tests do not spend their time
// hashing; the production parameters have tests of their own.
var FastHash = password.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// LoginSlowdown is the per-failure delay of test servers: small, so tests
// of failed logins stay fast, but present, so the slowdown is exercised.
const LoginSlowdown = 20 * time.Millisecond

// Start runs Tessera over db with the default configuration changed by
// mutate (may be nil). The server, and db, close when the test ends.
func Start(t testing.TB, db *sqlstore.DB, mutate func(*config.Config)) *TestServer {
	t.Helper()
	return StartWith(t, db, Options{Mutate: mutate})
}

// Options are what StartWith takes beyond the database.
type Options struct {
	// Mutate changes the default test configuration (may be nil).
	Mutate func(*config.Config)
	// HashParams replaces FastHash, for tests whose point is the cost of
	// hashing.
	HashParams *password.Params
	// Mailer receives every e-mail (through the server's queue), typically
	// a *mail.Outbox; nil uses the configured backend (console, into the
	// discarded log).
	Mailer mail.Sender
	// Version is the build version the server reports ("dev" when empty).
	Version string
}

// StartWith is Start with more options. The server's mail queue is
// drained and stopped when the test ends, before db closes.
func StartWith(t testing.TB, db *sqlstore.DB, o Options) *TestServer {
	t.Helper()
	mutate := o.Mutate
	cfg := config.Default()
	cfg.KeysDir = t.TempDir() + "/keys"
	cfg.CookieSecure = true
	hs := httptest.NewUnstartedServer(nil)
	cfg.Issuer = "http://" + hs.Listener.Addr().String()
	cfg.Addr = hs.Listener.Addr().String()
	if mutate != nil {
		mutate(&cfg)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("config: %v", err)
	}
	clock := NewClock(time.Now().UTC().Truncate(time.Second))
	fast := FastHash
	if o.HashParams != nil {
		fast = *o.HashParams
	}
	srv, err := server.Assemble(cfg, db, server.Options{
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: clock.Now, HashParams: &fast,
		LoginSlowdown: LoginSlowdown,
		Mailer:        o.Mailer,
		Version:       o.Version,
	})
	if err != nil {
		t.Fatalf("assemble: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Mail.Close(ctx); err != nil {
			t.Errorf("mail queue: %v", err)
		}
	})
	hs.Config.Handler = srv.API
	hs.Start()
	t.Cleanup(hs.Close)
	return &TestServer{Server: srv, URL: hs.URL, Clock: clock, HTTP: hs}
}

// FlushMail waits until every e-mail queued so far has been handed to the
// mailer (or given up on): mail is sent after the answer, off the request.
func (ts *TestServer) FlushMail(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := ts.Mail.Flush(ctx); err != nil {
		t.Fatalf("flush mail: %v", err)
	}
}

// Client is an HTTP client with its own cookie jar: one device.
type Client struct {
	t      testing.TB
	base   string
	HTTP   *http.Client
	Header http.Header // sent with every request
}

// NewClient returns a device talking to ts.
func (ts *TestServer) NewClient(t testing.TB) *Client {
	jar, _ := cookiejar.New(nil)
	return &Client{t: t, base: ts.URL, HTTP: &http.Client{Jar: jar}, Header: http.Header{}}
}

// Response is a read response.
type Response struct {
	*http.Response
	Body []byte
}

// JSON decodes the body into a map.
func (r *Response) JSON() map[string]any {
	var m map[string]any
	_ = json.Unmarshal(r.Body, &m)
	return m
}

// Str returns a top-level string member of the JSON body.
func (r *Response) Str(key string) string {
	s, _ := r.JSON()[key].(string)
	return s
}

// Do sends method path with body (marshalled to JSON unless it is a string
// or []byte) and extra headers as "Name: value" strings. A header named
// once replaces the client's default of that name; a name given again is
// sent as a second header line. A request given a Cookie header carries
// exactly those cookies: the jar adds none of its own. Do fails the test
// on a transport error, so it must be called from the test's goroutine;
// use Try from others.
func (c *Client) Do(method, path string, body any, headers ...string) *Response {
	c.t.Helper()
	r, err := c.Try(method, path, body, headers...)
	if err != nil {
		c.t.Fatal(err)
	}
	return r
}

// Try is Do returning the transport error instead of failing the test;
// it is safe to call from any goroutine.
func (c *Client) Try(method, path string, body any, headers ...string) (*Response, error) {
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			return nil, fmt.Errorf("marshal: %w", err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		return nil, fmt.Errorf("request: %w", err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range c.Header {
		req.Header[k] = v
	}
	given := map[string]bool{}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ":")
		k, v = http.CanonicalHeaderKey(strings.TrimSpace(k)), strings.TrimSpace(v)
		if given[k] {
			req.Header.Add(k, v)
		} else {
			req.Header.Set(k, v)
		}
		given[k] = true
	}
	hc := c.HTTP
	if given["Cookie"] {
		noJar := *c.HTTP
		noJar.Jar = nil
		hc = &noJar
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: read body: %w", method, path, err)
	}
	return &Response{Response: resp, Body: data}, nil
}

// Want fails the test unless r has the status.
func (r *Response) Want(t testing.TB, status int) *Response {
	t.Helper()
	if r.StatusCode != status {
		t.Fatalf("%s %s: status %d, want %d; body %s", r.Request.Method, r.Request.URL.Path, r.StatusCode, status, r.Body)
	}
	return r
}

// WantError fails the test unless r is the JSON error code with status.
func (r *Response) WantError(t testing.TB, status int, code string) *Response {
	t.Helper()
	r.Want(t, status)
	if got := r.Str("error"); got != code {
		t.Fatalf("%s %s: error %q, want %q; body %s", r.Request.Method, r.Request.URL.Path, got, code, r.Body)
	}
	if _, ok := r.JSON()["error_description"].(string); !ok {
		t.Fatalf("error body lacks error_description: %s", r.Body)
	}
	return r
}
