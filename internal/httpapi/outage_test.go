package httpapi_test

import (
	"context"
	"io"
	"net"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/tessera-id/tessera/internal/server/servertest"
	"github.com/tessera-id/tessera/internal/store/sqlstore"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
)

// cutProxy forwards TCP to a database and can cut every connection and
// refuse new ones, then come back on the same address: a database outage
// as the application sees it.
type cutProxy struct {
	t      *testing.T
	addr   string
	target string
	mu     sync.Mutex
	ln     net.Listener
	conns  []net.Conn
}

func newCutProxy(t *testing.T, target string) *cutProxy {
	p := &cutProxy{t: t, target: target}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.addr = ln.Addr().String()
	p.serve(ln)
	t.Cleanup(p.cut)
	return p
}

func (p *cutProxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", p.target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, up)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(up, c); up.Close() }()
			go func() { _, _ = io.Copy(c, up); c.Close() }()
		}
	}()
}

// cut closes the listener and every connection.
func (p *cutProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// restore listens again on the same address.
func (p *cutProxy) restore() {
	var ln net.Listener
	var err error
	for i := 0; i < 50; i++ {
		if ln, err = net.Listen("tcp", p.addr); err == nil {
			p.serve(ln)
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	p.t.Fatalf("proxy cannot listen again on %s: %v", p.addr, err)
}

// TestDatabaseOutage: while Postgres is unreachable every endpoint that
// needs it answers 503 with the JSON error and Retry-After (never 401 or
// 500), /readyz fails, JWKS and discovery keep serving; when it is back the
// same process serves again, with no row lost or duplicated.
func TestDatabaseOutage(t *testing.T) {
	raw := sqltest.URLForPostgres(t)
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	proxy := newCutProxy(t, u.Host)
	u.Host = proxy.addr
	db, err := sqlstore.Open(context.Background(), u.String(), sqlstore.Options{MaxOpenConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	ts := servertest.Start(t, db, nil)
	c := ts.NewClient(t)
	reg := register(t, c, "outage@example.com")
	a := login(t, c, "outage@example.com", "a")

	proxy.cut()
	down := []struct {
		name, method, path string
		body               any
		headers            []string
	}{
		{"login", "POST", "/v1/auth/login", map[string]any{"email": "outage@example.com", "password": testPassword}, nil},
		{"register", "POST", "/v1/auth/register", map[string]any{"email": "new@example.com", "password": testPassword}, nil},
		{"refresh", "POST", "/v1/auth/refresh", map[string]any{"refresh_token": a.Str("refresh_token")}, nil},
		{"me with a valid JWT", "GET", "/v1/auth/me", nil, []string{bearer(a)}},
		{"sessions", "GET", "/v1/auth/sessions", nil, []string{bearer(a)}},
		{"revocation feed", "GET", "/v1/revocations", nil, nil},
		{"readiness", "GET", "/readyz", nil, nil},
	}
	for _, tt := range down {
		t.Run("down/"+tt.name, func(t *testing.T) {
			r := c.Do(tt.method, tt.path, tt.body, tt.headers...).WantError(t, 503, "service_unavailable")
			if r.Header.Get("Retry-After") == "" {
				t.Fatal("503 without Retry-After")
			}
		})
	}
	c.Do("GET", "/.well-known/jwks.json", nil).Want(t, 200)
	c.Do("GET", "/.well-known/openid-configuration", nil).Want(t, 200)
	c.Do("GET", "/healthz", nil).Want(t, 200)

	proxy.restore()
	var back *servertest.Response
	for i := 0; i < 50; i++ {
		if back = c.Do("GET", "/readyz", nil); back.StatusCode == 200 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	back.Want(t, 200)
	c.Do("GET", "/v1/auth/me", nil, bearer(a)).Want(t, 200)
	b := login(t, c, "outage@example.com", "b")
	c.Do("POST", "/v1/auth/refresh", map[string]any{"refresh_token": a.Str("refresh_token")}).Want(t, 200)
	c.Do("GET", "/v1/auth/me", nil, bearer(b)).Want(t, 200)

	var users, sessions int
	if err := db.SQL().Get(&users, "SELECT count(*) FROM users"); err != nil || users != 1 {
		t.Fatalf("users = %d (%v), want 1", users, err)
	}
	if err := db.SQL().Get(&sessions, "SELECT count(*) FROM sessions"); err != nil || sessions != 3 {
		t.Fatalf("sessions = %d (%v), want 3 (register, a, b)", sessions, err)
	}
	_ = reg
}
