package bench

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/crypto/argon2"

	"github.com/tessera-id/tessera/internal/password"
	"github.com/tessera-id/tessera/pkg/jwtverify"
)

// Scenario names, in their default order.
const (
	ScenarioJWKS     = "jwks"
	ScenarioLogin    = "login"
	ScenarioRefresh  = "refresh"
	ScenarioMe       = "me"
	ScenarioClassic  = "classic-token"
	ScenarioVerify   = "verify"
	benchPassword    = "bench: correct horse battery staple"
	benchDeviceName  = "tessera-bench"
	setupParallelism = 8
)

// DefaultScenarios are the scenarios a run without --scenarios runs, in
// order: those with a target and those quick enough for `make bench`.
var DefaultScenarios = []string{ScenarioJWKS, ScenarioLogin, ScenarioRefresh, ScenarioRefreshCookie, ScenarioCodeFlow,
	ScenarioMe, ScenarioClassic, ScenarioVerify}

// AllScenarios lists every scenario: the default ones, then the watcher
// (which seeds a million revocations first).
var AllScenarios = append(slices.Clone(DefaultScenarios), ScenarioWatcher)

// device is one client's logged-in session. Only the client that owns it
// touches it once the scenarios start.
type device struct {
	access  string
	refresh string
}

type loginResponse struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
}

// loginBody is the body of a login as user email.
func loginBody(email string) []byte {
	return mustJSON(map[string]string{"email": email, "password": benchPassword, "device_name": benchDeviceName})
}

// parallel runs fn(i) for i in [0, n) on at most setupParallelism
// goroutines (set-up logins hash: more at once would only queue) and
// returns every error.
func parallel(n int, fn func(i int) error) error {
	errs := make([]error, n)
	sem := make(chan struct{}, setupParallelism)
	var wg sync.WaitGroup
	for i := range n {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			errs[i] = fn(i)
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// opJWKS fetches the key set.
func opJWKS(ep *endpoint) func(int) Op {
	return func(int) Op {
		c := call{Method: http.MethodGet, Path: "/.well-known/jwks.json"}
		return func(ctx context.Context) error { return ep.do(ctx, c) }
	}
}

// opLogin logs client i in as its user: one argon2id verification, one
// new session, one signature.
func opLogin(ep *endpoint, emails []string) func(int) Op {
	return func(i int) Op {
		c := call{Method: http.MethodPost, Path: "/v1/auth/login", Body: loginBody(emails[i%len(emails)])}
		return func(ctx context.Context) error { return ep.do(ctx, c) }
	}
}

// opRefresh refreshes client i's own session in a loop: each answer's
// refresh token is the next request's.
func opRefresh(ep *endpoint, devs []device) func(int) Op {
	return func(i int) Op {
		d := &devs[i]
		return func(ctx context.Context) error {
			var raw []byte
			err := ep.do(ctx, call{
				Method: http.MethodPost, Path: "/v1/auth/refresh",
				Body: mustJSON(map[string]string{"refresh_token": d.refresh}), Raw: &raw,
			})
			if err != nil {
				return err
			}
			next, err := refreshTokenOf(raw)
			if err != nil {
				return err
			}
			d.refresh = next
			return nil
		}
	}
}

// refreshTokenOf returns the refresh_token of a refresh answer. The load
// generator shares the machine with the server, and the ceiling's client
// decodes nothing, so the common case reads the one field it needs where
// Tessera writes it (a token is base64url segments and dots: nothing to
// unescape); any other answer is decoded in full.
func refreshTokenOf(body []byte) (string, error) {
	const key = `"refresh_token":"`
	if i := bytes.Index(body, []byte(key)); i >= 0 {
		rest := body[i+len(key):]
		if j := bytes.IndexByte(rest, '"'); j > 0 && isTokenText(rest[:j]) {
			return string(rest[:j]), nil
		}
	}
	var out loginResponse
	if err := json.Unmarshal(body, &out); err != nil {
		return "", fmt.Errorf("refresh answer: %w", err)
	}
	if out.RefreshToken == "" {
		return "", errors.New("refresh answered without a refresh token")
	}
	return out.RefreshToken, nil
}

// isTokenText reports whether b holds only base64url characters and dots.
func isTokenText(b []byte) bool {
	for _, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// opMe reads the caller with a Bearer access token.
func opMe(ep *endpoint, devs []device) func(int) Op {
	return func(i int) Op {
		c := call{Method: http.MethodGet, Path: "/v1/auth/me", Auth: "Bearer " + devs[i].access}
		return func(ctx context.Context) error { return ep.do(ctx, c) }
	}
}

// opClassic reads the caller with the user's classic token.
func opClassic(ep *endpoint, keys []string) func(int) Op {
	return func(i int) Op {
		c := call{Method: http.MethodGet, Path: "/v1/auth/me", Auth: "Token " + keys[i%len(keys)]}
		return func(ctx context.Context) error { return ep.do(ctx, c) }
	}
}

// opConst fetches the bare Gin constant.
func opConst(ep *endpoint) func(int) Op {
	return func(int) Op {
		c := call{Method: http.MethodGet, Path: "/const"}
		return func(ctx context.Context) error { return ep.do(ctx, c) }
	}
}

// opCeiling runs the single-row write behind bare Gin, client i on row i.
func opCeiling(ep *endpoint) func(int) Op {
	return func(i int) Op {
		c := call{Method: http.MethodPost, Path: "/ceiling", Body: mustJSON(ceilingRequest{ID: ceilingID(i).String()})}
		return func(ctx context.Context) error { return ep.do(ctx, c) }
	}
}

// opPK reads client i's row by primary key behind bare Gin.
func opPK(ep *endpoint) func(int) Op {
	return func(i int) Op {
		c := call{Method: http.MethodGet, Path: "/pk/" + ceilingID(i).String()}
		return func(ctx context.Context) error { return ep.do(ctx, c) }
	}
}

// opHash computes one argon2id hash with p: the work of one login.
func opHash(p password.Params) func(int) Op {
	return func(int) Op {
		salt := make([]byte, p.SaltLen)
		_, _ = rand.Read(salt)
		pw := []byte(benchPassword)
		return func(context.Context) error {
			_ = argon2.IDKey(pw, salt, p.Time, p.Memory, p.Threads, p.KeyLen)
			return nil
		}
	}
}

// verifyKit verifies tokens the server minted, offline, as a resource
// server would: keys from the server's JWKS, issuer and audience from
// the tokens themselves.
type verifyKit struct {
	v      *jwtverify.Verifier
	tokens []string
	// The raw signature check of tokens[0]: the verify ceiling.
	method jwt.SigningMethod
	input  string
	sig    []byte
	public crypto.PublicKey
}

func newVerifyKit(jwks []byte, tokens []string) (*verifyKit, error) {
	if len(tokens) == 0 {
		return nil, errors.New("verify: no tokens")
	}
	keys, err := jwtverify.ParseJWKS(jwks)
	if err != nil {
		return nil, fmt.Errorf("verify: %w", err)
	}
	var claims jwtverify.Claims
	tok, _, err := jwt.NewParser().ParseUnverified(tokens[0], &claims)
	if err != nil {
		return nil, fmt.Errorf("verify: decode token: %w", err)
	}
	if len(claims.Audience) == 0 {
		return nil, errors.New("verify: token has no audience")
	}
	v, err := jwtverify.NewVerifier(jwtverify.NewStaticKeySet(keys...),
		jwtverify.WithIssuer(claims.Issuer), jwtverify.WithAudience(claims.Audience[0]))
	if err != nil {
		return nil, fmt.Errorf("verify: %w", err)
	}
	k := &verifyKit{v: v, tokens: tokens, method: tok.Method}
	kid, _ := tok.Header["kid"].(string)
	for _, key := range keys {
		if key.ID == kid {
			k.public = key.Public
		}
	}
	if k.public == nil {
		return nil, fmt.Errorf("verify: no key %q in the JWKS", kid)
	}
	dot := strings.LastIndexByte(tokens[0], '.')
	k.input = tokens[0][:dot]
	if k.sig, err = jwt.NewParser().DecodeSegment(tokens[0][dot+1:]); err != nil {
		return nil, fmt.Errorf("verify: %w", err)
	}
	if err := k.method.Verify(k.input, k.sig, k.public); err != nil {
		return nil, fmt.Errorf("verify: raw signature: %w", err)
	}
	if _, err := v.Verify(context.Background(), tokens[0]); err != nil {
		return nil, fmt.Errorf("verify: %w", err)
	}
	return k, nil
}

// opVerify runs the whole offline check of a server-minted token.
func (k *verifyKit) opVerify() func(int) Op {
	return func(i int) Op {
		raw := k.tokens[i%len(k.tokens)]
		return func(ctx context.Context) error {
			_, err := k.v.Verify(ctx, raw)
			return err
		}
	}
}

// opRawSignature checks the signature alone, nothing decoded.
func (k *verifyKit) opRawSignature() func(int) Op {
	return func(int) Op {
		return func(context.Context) error { return k.method.Verify(k.input, k.sig, k.public) }
	}
}
