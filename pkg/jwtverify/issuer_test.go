package jwtverify_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tessera-id/tessera/pkg/jwtverify"
)

// fakeIssuer serves discovery in front of a jwksServer and a feedServer.
type fakeIssuer struct {
	*httptest.Server
	jwks *jwksServer
	feed *feedServer
	meta map[string]any // the discovery document; "" values are dropped
}

func newFakeIssuer(t *testing.T, signers ...*signer) *fakeIssuer {
	t.Helper()
	f := &fakeIssuer{jwks: newJWKSServer(t, signers...), feed: newFeedServer(t)}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != jwtverify.DiscoveryPath {
			http.NotFound(w, r)
			return
		}
		json.NewEncoder(w).Encode(f.meta)
	}))
	t.Cleanup(f.Close)
	f.meta = map[string]any{
		"issuer":                   f.URL,
		"jwks_uri":                 f.jwks.URL,
		"revocation_feed_endpoint": f.feed.URL,
	}
	return f
}

func TestFromIssuer(t *testing.T) {
	es := testSigners(t)["ES256"]
	iss := newFakeIssuer(t, es)
	clock := newFakeClock()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	v, err := jwtverify.FromIssuer(ctx, iss.URL, jwtverify.WithAudience(testAudience), jwtverify.WithClock(clock.Now))
	cancel() // a start-up deadline must not stop the key set later
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	c := validClaims()
	c["iss"] = iss.URL
	if _, err := v.Verify(context.Background(), sign(t, es, validHeader(es), c)); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	c["iss"] = testIssuer
	if _, err := v.Verify(context.Background(), sign(t, es, validHeader(es), c)); !errors.Is(err, jwtverify.ErrInvalidIssuer) {
		t.Fatalf("another issuer's token: %v, want ErrInvalidIssuer", err)
	}
	if v.RevocationWatcher() != nil || len(iss.feed.requests()) != 0 {
		t.Fatal("a watcher was started without WithRevocationWatcher")
	}
}

func TestFromIssuerWithWatcher(t *testing.T) {
	es := testSigners(t)["ES256"]
	iss := newFakeIssuer(t, es)
	clock := newFakeClock()
	iss.feed.revoke(sidA, clock.Now(), clock.Now().Add(time.Hour))
	v, err := jwtverify.FromIssuer(context.Background(), iss.URL, jwtverify.WithAudience(testAudience),
		jwtverify.WithClock(clock.Now), jwtverify.WithRevocationWatcher(jwtverify.WithPollInterval(time.Hour)))
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	token := func(sid string) string {
		c := validClaims()
		c["iss"], c["sid"] = iss.URL, sid
		return sign(t, es, validHeader(es), c)
	}
	// FromIssuer waited for the first poll: A is already known.
	if _, err := v.Verify(context.Background(), token(sidA)); !errors.Is(err, jwtverify.ErrRevoked) {
		t.Fatalf("session revoked before start: %v, want ErrRevoked", err)
	}
	if _, err := v.Verify(context.Background(), token(sidB)); err != nil {
		t.Fatal(err)
	}
	iss.feed.revoke(sidB, clock.Now(), clock.Now().Add(time.Hour))
	if err := v.RevocationWatcher().Poll(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(context.Background(), token(sidB)); !errors.Is(err, jwtverify.ErrRevoked) {
		t.Fatalf("session revoked after start: %v, want ErrRevoked", err)
	}
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestFromIssuerRefuses(t *testing.T) {
	es := testSigners(t)["ES256"]
	aud := jwtverify.WithAudience(testAudience)
	tests := []struct {
		name string
		meta func(f *fakeIssuer) // changes the discovery document
		url  func(f *fakeIssuer) string
		opts []jwtverify.Option
		want string
	}{
		{"issuer with a trailing slash", func(f *fakeIssuer) { f.meta["issuer"] = f.URL + "/" }, nil, []jwtverify.Option{aud}, "does not match"},
		{"issuer of another host", func(f *fakeIssuer) { f.meta["issuer"] = "https://evil.example.com" }, nil, []jwtverify.Option{aud}, "does not match"},
		{"asked with a trailing slash", nil, func(f *fakeIssuer) string { return f.URL + "/" }, []jwtverify.Option{aud}, "does not match"},
		{"no jwks_uri", func(f *fakeIssuer) { delete(f.meta, "jwks_uri") }, nil, []jwtverify.Option{aud}, "jwks_uri"},
		{"no discovery", nil, func(f *fakeIssuer) string { return f.URL + "/nothing" }, []jwtverify.Option{aud}, "status"},
		{"no audience", nil, nil, nil, "audience"},
		{"another WithIssuer", nil, nil, []jwtverify.Option{aud, jwtverify.WithIssuer("https://other.example.com")}, "differs"},
		{"watcher without a feed", func(f *fakeIssuer) { delete(f.meta, "revocation_feed_endpoint") }, nil,
			[]jwtverify.Option{aud, jwtverify.WithRevocationWatcher()}, "revocation_feed_endpoint"},
		{"watcher on a broken feed", func(f *fakeIssuer) { f.feed.set(func(fs *feedServer) { fs.status = 503 }) }, nil,
			[]jwtverify.Option{aud, jwtverify.WithRevocationWatcher()}, "first poll"},
		{"watcher and WithRevocations", nil, nil,
			[]jwtverify.Option{aud, jwtverify.WithRevocationWatcher(), jwtverify.WithRevocations(jwtverify.RevocationChecker(nil))}, "exclusive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeIssuer(t, es)
			if tt.meta != nil {
				tt.meta(f)
			}
			u := f.URL
			if tt.url != nil {
				u = tt.url(f)
			}
			v, err := jwtverify.FromIssuer(context.Background(), u, tt.opts...)
			if err == nil || v != nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("FromIssuer = %v, %v; want an error about %q", v, err, tt.want)
			}
		})
	}
}

func TestNewVerifierRevocationOptions(t *testing.T) {
	iss, aud := jwtverify.WithIssuer(testIssuer), jwtverify.WithAudience(testAudience)
	tests := []struct {
		name string
		opt  jwtverify.Option
	}{
		{"watcher needs FromIssuer", jwtverify.WithRevocationWatcher()},
		{"nil checker", jwtverify.WithRevocations(nil)},
		{"nil watcher", jwtverify.WithRevocations((*jwtverify.RevocationWatcher)(nil))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if v, err := jwtverify.NewVerifier(testKeySet(t), iss, aud, tt.opt); err == nil {
				t.Fatalf("NewVerifier = %v, nil; want an error", v)
			}
		})
	}
}
