package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/tessera-id/tessera/pkg/jwtverify"
)

// fakeTessera serves discovery, a one-key JWKS and an empty revocation
// feed, and signs tokens with that key.
type fakeTessera struct {
	*httptest.Server
	priv ed25519.PrivateKey
}

func newFakeTessera(t *testing.T) *fakeTessera {
	t.Helper()
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	f := &fakeTessera{priv: priv}
	mux := http.NewServeMux()
	f.Server = httptest.NewServer(mux)
	t.Cleanup(f.Close)
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintf(w, `{"issuer":%q,"jwks_uri":%q,"revocation_feed_endpoint":%q}`, f.URL, f.URL+"/jwks", f.URL+"/feed")
	})
	mux.HandleFunc("/jwks", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintf(w, `{"keys":[{"kty":"OKP","crv":"Ed25519","x":%q,"kid":"k1","use":"sig","alg":"EdDSA"}]}`,
			base64.RawURLEncoding.EncodeToString(pub))
	})
	mux.HandleFunc("/feed", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, `{"revocations":[],"cursor":"c","poll_interval":30}`)
	})
	return f
}

func (f *fakeTessera) token(t *testing.T, roles ...string) string {
	t.Helper()
	now := time.Now()
	tok := jwt.NewWithClaims(jwt.SigningMethodEdDSA, &jwtverify.Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer: f.URL, Subject: "user-1", Audience: jwt.ClaimStrings{f.URL}, ID: "j",
			IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(time.Minute)),
		},
		ClientID: "default", SessionID: "s1", Roles: roles,
	})
	tok.Header["kid"], tok.Header["typ"] = "k1", jwtverify.TokenType
	raw, err := tok.SignedString(f.priv)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// TestRun starts the example against a fake Tessera and calls its routes.
func TestRun(t *testing.T) {
	f := newFakeTessera(t)
	ctx, cancel := context.WithCancel(context.Background())
	ready, done := make(chan string, 1), make(chan error, 1)
	var logs bytes.Buffer
	go func() { done <- run(ctx, []string{"-issuer", f.URL, "-addr", "127.0.0.1:0"}, &logs, ready) }()
	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		t.Fatalf("run: %v", err)
	}
	get := func(path, token string) int {
		req, _ := http.NewRequest(http.MethodGet, "http://"+addr+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	user, admin := f.token(t), f.token(t, "admin")
	for _, c := range []struct {
		path, token string
		want        int
	}{
		{"/api/hello", "", 401},
		{"/api/hello", "not-a-jwt", 401},
		{"/api/hello", user, 200},
		{"/api/admin/stats", user, 403},
		{"/api/admin/stats", admin, 200},
	} {
		if got := get(c.path, c.token); got != c.want {
			t.Errorf("GET %s: %d, want %d", c.path, got, c.want)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("run after shutdown: %v", err)
	}
	if strings.Contains(logs.String(), user) {
		t.Fatal("a token reached the logs")
	}
}

func TestRunRefusesAWrongIssuer(t *testing.T) {
	f := newFakeTessera(t)
	err := run(context.Background(), []string{"-issuer", f.URL + "/", "-addr", "127.0.0.1:0"}, io.Discard, nil)
	if err == nil || !strings.Contains(err.Error(), "does not match") {
		t.Fatalf("run = %v, want an issuer mismatch", err)
	}
	if err := run(context.Background(), []string{"extra"}, io.Discard, nil); err == nil {
		t.Fatal("run accepted a stray argument")
	}
}
