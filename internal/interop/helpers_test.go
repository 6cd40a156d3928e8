package interop_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/tessera-id/tessera/internal/config"
	"github.com/tessera-id/tessera/internal/server/servertest"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
	"github.com/tessera-id/tessera/pkg/jwtverify"
)

const testPassword = "correct horse battery staple"

// startTessera runs a real Tessera on SQLite signing with alg.
func startTessera(t *testing.T, alg string) *servertest.TestServer {
	t.Helper()
	return servertest.Start(t, sqltest.NewSQLite(t), func(c *config.Config) { c.SigningAlg = alg })
}

// audience is the audience Tessera puts in its access tokens.
func audience(ts *servertest.TestServer) string { return ts.Config.Audiences()[0] }

// device is one logged-in device: its client and login answer.
type device struct {
	c     *servertest.Client
	login *servertest.Response
}

func (d *device) token() string     { return d.login.Str("access_token") }
func (d *device) sessionID() string { return d.login.Str("session_id") }
func (d *device) bearer() string    { return "Authorization: Bearer " + d.token() }

// register creates a user (logged in on the registering client).
func register(t *testing.T, ts *servertest.TestServer, email string) {
	t.Helper()
	ts.NewClient(t).Do("POST", "/v1/auth/register", map[string]any{"email": email, "password": testPassword}).
		Want(t, http.StatusCreated)
}

// login logs email in on a new device.
func login(t *testing.T, ts *servertest.TestServer, email, name string) *device {
	t.Helper()
	c := ts.NewClient(t)
	r := c.Do("POST", "/v1/auth/login", map[string]any{"email": email, "password": testPassword, "device_name": name}).
		Want(t, http.StatusOK)
	if r.Str("access_token") == "" || r.Str("session_id") == "" {
		t.Fatalf("login answer lacks the token or session: %s", r.Body)
	}
	return &device{c: c, login: r}
}

// kidOf returns the kid and alg of a token's header, unverified.
func kidOf(t *testing.T, raw string) (kid, alg string) {
	t.Helper()
	tok, _, err := jwt.NewParser().ParseUnverified(raw, jwt.MapClaims{})
	if err != nil {
		t.Fatal(err)
	}
	kid, _ = tok.Header["kid"].(string)
	return kid, tok.Method.Alg()
}

// countingClient is an HTTP client counting requests per path.
type countingClient struct {
	http.Client
	jwks atomic.Int64
}

func newCountingClient() *countingClient {
	c := &countingClient{}
	c.Transport = roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if strings.HasSuffix(r.URL.Path, "/jwks.json") {
			c.jwks.Add(1)
		}
		return http.DefaultTransport.RoundTrip(r)
	})
	return c
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// fromIssuer builds a jwtverify.Verifier for ts on ts's clock.
func fromIssuer(t *testing.T, ts *servertest.TestServer, opts ...jwtverify.Option) *jwtverify.Verifier {
	t.Helper()
	base := []jwtverify.Option{jwtverify.WithAudience(audience(ts)), jwtverify.WithClock(ts.Clock.Now)}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	v, err := jwtverify.FromIssuer(ctx, ts.URL, append(base, opts...)...)
	if err != nil {
		t.Fatalf("FromIssuer: %v", err)
	}
	t.Cleanup(func() { v.Close() })
	return v
}

func mustVerify(t *testing.T, v *jwtverify.Verifier, raw, what string) *jwtverify.Claims {
	t.Helper()
	c, err := v.Verify(context.Background(), raw)
	if err != nil {
		t.Fatalf("%s: Verify = %v", what, err)
	}
	return c
}

func mustFail(t *testing.T, v *jwtverify.Verifier, raw string, want error, what string) {
	t.Helper()
	if _, err := v.Verify(context.Background(), raw); !errors.Is(err, want) {
		t.Fatalf("%s: Verify = %v, want %v", what, err, want)
	}
}
