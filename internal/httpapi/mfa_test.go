package httpapi_test

import (
	"encoding/base32"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tessera-id/tessera/internal/config"
	"github.com/tessera-id/tessera/internal/mail"
	"github.com/tessera-id/tessera/internal/server/servertest"
	"github.com/tessera-id/tessera/internal/store/sqlstore"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
)

// totpCode is the authenticator app's code at the server's clock moved
// by skew steps.
func totpCode(t *testing.T, ts *servertest.TestServer, secret string, skew int) string {
	t.Helper()
	return ts.TOTPCode(t, secret, skew)
}

// wrongCode is a well-formed code that no step of the server's window
// accepts.
func wrongCode(t *testing.T, ts *servertest.TestServer, secret string) string {
	t.Helper()
	for _, c := range []string{"000000", "111111", "222222", "333333"} {
		if c != totpCode(t, ts, secret, -1) && c != totpCode(t, ts, secret, 0) && c != totpCode(t, ts, secret, 1) {
			return c
		}
	}
	t.Fatal("unreachable: four codes cannot all be in a window of three")
	return ""
}

func nextStep(ts *servertest.TestServer) { ts.NextTOTPStep() }

// enrolTOTP enrols and confirms an authenticator app for the caller of
// authz and returns its secret and recovery codes.
func enrolTOTP(t *testing.T, ts *servertest.TestServer, c *servertest.Client, authz string) (string, []string) {
	t.Helper()
	r := c.Do("POST", "/v1/auth/mfa/totp", map[string]any{"password": testPassword}, authz).Want(t, http.StatusOK)
	secret := r.Str("secret")
	if !strings.HasPrefix(r.Str("otpauth_uri"), "otpauth://totp/") || !strings.HasPrefix(r.Str("qr_svg"), "<svg") {
		t.Fatalf("enrolment answer %s", r.Body)
	}
	nextStep(ts)
	r = c.Do("POST", "/v1/auth/mfa/totp/confirm", map[string]any{"code": totpCode(t, ts, secret, 0)}, authz).Want(t, http.StatusOK)
	var codes []string
	for _, v := range r.JSON()["recovery_codes"].([]any) {
		codes = append(codes, v.(string))
	}
	if len(codes) != 10 {
		t.Fatalf("%d recovery codes, want 10", len(codes))
	}
	nextStep(ts) // the confirming code's step is spent
	return secret, codes
}

// mfaUser registers email, enrols TOTP and returns the secret and codes.
func mfaUser(t *testing.T, ts *servertest.TestServer, email string) (string, []string) {
	t.Helper()
	c := ts.NewClient(t)
	register(t, c, email)
	return enrolTOTP(t, ts, c, bearer(login(t, c, email, "setup")))
}

// mfaLogin sends the password and returns the mfa_token of the 403 answer.
func mfaLogin(t *testing.T, c *servertest.Client, body map[string]any) string {
	t.Helper()
	if body["password"] == nil {
		body["password"] = testPassword
	}
	r := c.Do("POST", "/v1/auth/login", body).WantError(t, http.StatusForbidden, "mfa_required")
	tok := r.Str("mfa_token")
	if !strings.HasPrefix(tok, "tsm_") {
		t.Fatalf("mfa_required without mfa_token: %s", r.Body)
	}
	return tok
}

// amrOf reads the amr claim of an access token.
func amrOf(t *testing.T, raw string) []string {
	t.Helper()
	parts := strings.Split(raw, ".")
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims struct {
		AMR []string `json:"amr"`
	}
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	return claims.AMR
}

// TestMFATOTPLogin: enrolment needs the password, confirmation a right
// code; then a right password answers 403 mfa_required with a token, the
// methods and its lifetime; the code that confirmed cannot be replayed; a
// fresh code completes the login with amr [pwd otp mfa] (plain logins and
// refreshed tokens keep theirs); the token then is spent. Both engines,
// and the stored secret is sealed in both.
func TestMFATOTPLogin(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ts := servertest.Start(t, db, nil)
		c := ts.NewClient(t)
		register(t, c, "ada@example.com")
		plain := login(t, c, "ada@example.com", "laptop")
		if got := amrOf(t, plain.Str("access_token")); !slices.Equal(got, []string{"pwd"}) {
			t.Fatalf("password login amr %v, want [pwd]", got)
		}
		authz := bearer(plain)
		c.Do("POST", "/v1/auth/mfa/totp", map[string]any{"password": "not the password"}, authz).
			WantError(t, http.StatusBadRequest, "invalid_request")
		c.Do("POST", "/v1/auth/mfa/totp/confirm", map[string]any{"code": "123456"}, authz).
			WantError(t, http.StatusConflict, "conflict")
		r := c.Do("POST", "/v1/auth/mfa/totp", map[string]any{"password": testPassword}, authz).Want(t, http.StatusOK)
		secret := r.Str("secret")
		c.Do("POST", "/v1/auth/mfa/totp/confirm", map[string]any{"code": wrongCode(t, ts, secret)}, authz).
			WantError(t, http.StatusBadRequest, "invalid_mfa_code")
		// Until confirmed, the password alone still signs in.
		login(t, c, "ada@example.com", "laptop")
		confirmCode := totpCode(t, ts, secret, 0)
		c.Do("POST", "/v1/auth/mfa/totp/confirm", map[string]any{"code": confirmCode}, authz).Want(t, http.StatusOK)
		c.Do("POST", "/v1/auth/mfa/totp", map[string]any{"password": testPassword}, authz).
			WantError(t, http.StatusConflict, "conflict")

		var sealed []byte
		if err := ts.DB.SQL().GetContext(t.Context(), &sealed, `SELECT secret_enc FROM mfa_totp`); err != nil {
			t.Fatal(err)
		}
		raw, _ := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(secret)
		if strings.Contains(string(sealed), secret) || strings.Contains(string(sealed), string(raw)) || len(raw) != 20 {
			t.Fatal("the stored column holds the secret")
		}

		r = c.Do("POST", "/v1/auth/login", map[string]any{"email": "ada@example.com", "password": testPassword}).
			WantError(t, http.StatusForbidden, "mfa_required")
		tok := r.Str("mfa_token")
		if m := r.JSON()["methods"]; len(m.([]any)) != 2 || m.([]any)[0] != "totp" || m.([]any)[1] != "recovery_code" {
			t.Fatalf("methods %v", m)
		}
		if r.JSON()["expires_in"].(float64) != 300 || r.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("expires_in %v, Cache-Control %q", r.JSON()["expires_in"], r.Header.Get("Cache-Control"))
		}
		if r.Str("access_token") != "" || len(c.HTTP.Jar.Cookies(mustURL(t, ts.URL))) != 0 {
			t.Fatal("a pending login handed out a credential")
		}
		c.Do("POST", "/v1/auth/mfa/verify", map[string]any{"mfa_token": tok, "code": confirmCode}).
			WantError(t, http.StatusBadRequest, "invalid_mfa_code")
		nextStep(ts)
		r = c.Do("POST", "/v1/auth/mfa/verify", map[string]any{"mfa_token": tok, "code": totpCode(t, ts, secret, 0)}).
			Want(t, http.StatusOK)
		if got := amrOf(t, r.Str("access_token")); !slices.Equal(got, []string{"pwd", "otp", "mfa"}) {
			t.Fatalf("amr %v, want [pwd otp mfa]", got)
		}
		refreshed := c.Do("POST", "/v1/auth/refresh", map[string]any{"refresh_token": r.Str("refresh_token")}).Want(t, http.StatusOK)
		if got := amrOf(t, refreshed.Str("access_token")); !slices.Equal(got, []string{"pwd", "otp", "mfa"}) {
			t.Fatalf("refreshed amr %v", got)
		}
		nextStep(ts)
		c.Do("POST", "/v1/auth/mfa/verify", map[string]any{"mfa_token": tok, "code": totpCode(t, ts, secret, 0)}).
			WantError(t, http.StatusBadRequest, "invalid_mfa_token")
		st := c.Do("GET", "/v1/auth/mfa", nil, bearer(r)).Want(t, http.StatusOK).JSON()
		if st["totp"] != "active" || st["recovery_codes_remaining"].(float64) != 10 {
			t.Fatalf("status %v", st)
		}
	})
}

func mustURL(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestMFASkew: a code of the step before or after the server's is
// accepted, two steps away refused, and a step once used (or one before
// it) never again.
func TestMFASkew(t *testing.T) {
	ts := servertest.Start(t, sqltest.NewSQLite(t), nil)
	secret, _ := mfaUser(t, ts, "skew@example.com")
	nextStep(ts) // the step before is now one no code was used for
	c := ts.NewClient(t)
	body := func() map[string]any { return map[string]any{"email": "skew@example.com"} }
	tests := []struct {
		name string
		skew int
		want int
	}{
		{"two steps behind", -2, http.StatusBadRequest},
		{"one step behind", -1, http.StatusOK},
		{"the step before, again", -1, http.StatusBadRequest},
		{"two steps ahead", 2, http.StatusBadRequest},
		{"one step ahead", 1, http.StatusOK},
		{"the current step, older than the one used", 0, http.StatusBadRequest},
	}
	for _, tt := range tests {
		tok := mfaLogin(t, c, body())
		r := c.Do("POST", "/v1/auth/mfa/verify", map[string]any{"mfa_token": tok, "code": totpCode(t, ts, secret, tt.skew)})
		if r.StatusCode != tt.want {
			t.Fatalf("%s: status %d, want %d: %s", tt.name, r.StatusCode, tt.want, r.Body)
		}
	}
}

// TestMFALockout: one mfa_token takes five proofs; wrong codes count
// toward the account's brute-force limit across tokens (signing in again
// with the password does not reset it), so after ten a right code is
// refused with 429 until the window ends.
func TestMFALockout(t *testing.T) {
	ts := servertest.Start(t, sqltest.NewSQLite(t), nil)
	secret, _ := mfaUser(t, ts, "locked@example.com")
	c := ts.NewClient(t)
	wrong := func(tok string) map[string]any {
		return map[string]any{"mfa_token": tok, "code": wrongCode(t, ts, secret)}
	}
	tok := mfaLogin(t, c, map[string]any{"email": "locked@example.com"})
	for range 5 {
		c.Do("POST", "/v1/auth/mfa/verify", wrong(tok)).WantError(t, http.StatusBadRequest, "invalid_mfa_code")
	}
	c.Do("POST", "/v1/auth/mfa/verify", map[string]any{"mfa_token": tok, "code": totpCode(t, ts, secret, 0)}).
		WantError(t, http.StatusBadRequest, "invalid_mfa_token")
	tok = mfaLogin(t, c, map[string]any{"email": "locked@example.com"})
	for range 5 {
		c.Do("POST", "/v1/auth/mfa/verify", wrong(tok)).WantError(t, http.StatusBadRequest, "invalid_mfa_code")
	}
	tok = mfaLogin(t, c, map[string]any{"email": "locked@example.com"})
	c.Do("POST", "/v1/auth/mfa/verify", map[string]any{"mfa_token": tok, "code": totpCode(t, ts, secret, 0)}).
		WantError(t, http.StatusTooManyRequests, "rate_limited")
	ts.Clock.Advance(15*time.Minute + time.Second)
	tok = mfaLogin(t, c, map[string]any{"email": "locked@example.com"})
	c.Do("POST", "/v1/auth/mfa/verify", map[string]any{"mfa_token": tok, "code": totpCode(t, ts, secret, 0)}).Want(t, http.StatusOK)
}

// TestMFARecoveryCodes: a recovery code completes a login once (the owner
// is mailed), a used or made-up one is refused; regenerating needs a fresh
// code and replaces the whole set.
func TestMFARecoveryCodes(t *testing.T) {
	out := mail.NewOutbox()
	ts := servertest.StartWith(t, sqltest.NewSQLite(t), servertest.Options{Mailer: out})
	secret, codes := mfaUser(t, ts, "rc@example.com")
	c := ts.NewClient(t)
	verify := func(code string) *servertest.Response {
		tok := mfaLogin(t, c, map[string]any{"email": "rc@example.com"})
		return c.Do("POST", "/v1/auth/mfa/verify", map[string]any{"mfa_token": tok, "recovery_code": code})
	}
	r := verify(strings.ToUpper(codes[0])).Want(t, http.StatusOK)
	if got := amrOf(t, r.Str("access_token")); !slices.Equal(got, []string{"pwd", "otp", "mfa"}) {
		t.Fatalf("amr %v", got)
	}
	verify(codes[0]).WantError(t, http.StatusBadRequest, "invalid_mfa_code")
	verify("abcde-fghjk").WantError(t, http.StatusBadRequest, "invalid_mfa_code")
	tok := mfaLogin(t, c, map[string]any{"email": "rc@example.com"})
	c.Do("POST", "/v1/auth/mfa/verify", map[string]any{"mfa_token": tok, "code": "123456", "recovery_code": codes[1]}).
		WantError(t, http.StatusBadRequest, "invalid_request")
	authz := bearer(r)
	c.Do("POST", "/v1/auth/mfa/recovery-codes", map[string]any{"code": wrongCode(t, ts, secret)}, authz).
		WantError(t, http.StatusBadRequest, "invalid_mfa_code")
	fresh := c.Do("POST", "/v1/auth/mfa/recovery-codes", map[string]any{"code": totpCode(t, ts, secret, 0)}, authz).Want(t, http.StatusOK)
	if n := len(fresh.JSON()["recovery_codes"].([]any)); n != 10 {
		t.Fatalf("%d fresh codes", n)
	}
	verify(codes[1]).WantError(t, http.StatusBadRequest, "invalid_mfa_code")
	ts.FlushMail(t)
	var kinds []string
	for _, m := range out.To("rc@example.com") {
		if m.Kind == mail.TemplateMFAChanged {
			kinds = append(kinds, m.Text)
		}
	}
	if len(kinds) != 3 || !strings.Contains(kinds[0], "authenticator app was added") ||
		!strings.Contains(kinds[1], "recovery code was used") || !strings.Contains(kinds[2], "New recovery codes") {
		t.Fatalf("mails %q", kinds)
	}
}

// TestMFATokenBinding: the mfa_token works only from the client, device
// and user agent of its login, for its delivery, within five minutes; a
// cookie login completes in cookies.
func TestMFATokenBinding(t *testing.T) {
	ts := servertest.Start(t, sqltest.NewSQLite(t), nil)
	secret, _ := mfaUser(t, ts, "bound@example.com")
	c := ts.NewClient(t)
	base := map[string]any{"email": "bound@example.com", "device_name": "phone", "delivery": "body"}
	tests := []struct {
		name   string
		change map[string]any
		header []string
	}{
		{"another device name", map[string]any{"device_name": "laptop"}, nil},
		{"another delivery", map[string]any{"delivery": "cookie"}, nil},
		{"another client", map[string]any{"client_id": "other"}, nil},
		{"another user agent", nil, []string{"User-Agent: something-else/1.0"}},
		{"a made-up token", map[string]any{"mfa_token": "tsm_" + strings.Repeat("A", 43)}, nil},
		{"not a token", map[string]any{"mfa_token": strings.Repeat("x", 500)}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := map[string]any{}
			for k, v := range base {
				body[k] = v
			}
			tok := mfaLogin(t, c, body)
			req := map[string]any{"mfa_token": tok, "code": totpCode(t, ts, secret, 0), "device_name": "phone"}
			for k, v := range tt.change {
				req[k] = v
			}
			c.Do("POST", "/v1/auth/mfa/verify", req, tt.header...).WantError(t, http.StatusBadRequest, "invalid_mfa_token")
		})
	}
	tok := mfaLogin(t, c, map[string]any{"email": "bound@example.com"})
	ts.Clock.Advance(5*time.Minute + time.Second)
	c.Do("POST", "/v1/auth/mfa/verify", map[string]any{"mfa_token": tok, "code": totpCode(t, ts, secret, 0)}).
		WantError(t, http.StatusBadRequest, "invalid_mfa_token")

	nextStep(ts)
	tok = mfaLogin(t, c, map[string]any{"email": "bound@example.com", "delivery": "cookie"})
	r := c.Do("POST", "/v1/auth/mfa/verify", map[string]any{"mfa_token": tok, "code": totpCode(t, ts, secret, 0)}).Want(t, http.StatusOK)
	if r.Str("delivery") != "cookie" || r.Str("access_token") != "" || r.Str("csrf_token") == "" {
		t.Fatalf("cookie completion %s", r.Body)
	}
	c.Do("GET", "/v1/auth/me", nil).Want(t, http.StatusOK)
}

// TestMFAPasswordAloneRefused: once a factor is active, HTTP Basic and a
// classic token asked for with a password are refused (403
// mfa_required, no token); a classic token issued before keeps working.
func TestMFAPasswordAloneRefused(t *testing.T) {
	ts := servertest.Start(t, sqltest.NewSQLite(t), func(c *config.Config) {
		c.Authentication = []string{"bearer", "token", "session", "basic"}
	})
	c := ts.NewClient(t)
	register(t, c, "basic@example.com")
	classic := c.Do("POST", "/v1/auth/token", map[string]any{"email": "basic@example.com", "password": testPassword}).
		Want(t, http.StatusOK).Str("token")
	c.Do("GET", "/v1/auth/me", nil, basic("basic@example.com", testPassword)).Want(t, http.StatusOK)
	enrolTOTP(t, ts, c, bearer(login(t, c, "basic@example.com", "setup")))
	r := c.Do("GET", "/v1/auth/me", nil, basic("basic@example.com", testPassword)).WantError(t, http.StatusForbidden, "mfa_required")
	if r.Str("mfa_token") != "" {
		t.Fatal("Basic got an mfa_token")
	}
	c.Do("POST", "/v1/auth/token", map[string]any{"email": "basic@example.com", "password": testPassword}).
		WantError(t, http.StatusForbidden, "mfa_required")
	c.Do("GET", "/v1/auth/me", nil, "Authorization: Token "+classic).Want(t, http.StatusOK)
}

// TestMFARemove: removal needs the password and a current code; then
// the password alone signs in again and the recovery codes are gone.
func TestMFARemove(t *testing.T) {
	ts := servertest.Start(t, sqltest.NewSQLite(t), nil)
	secret, codes := mfaUser(t, ts, "rm@example.com")
	c := ts.NewClient(t)
	tok := mfaLogin(t, c, map[string]any{"email": "rm@example.com"})
	authz := bearer(c.Do("POST", "/v1/auth/mfa/verify", map[string]any{"mfa_token": tok, "recovery_code": codes[0]}).Want(t, http.StatusOK))
	c.Do("DELETE", "/v1/auth/mfa/totp", map[string]any{"password": testPassword, "code": wrongCode(t, ts, secret)}, authz).
		WantError(t, http.StatusBadRequest, "invalid_mfa_code")
	c.Do("DELETE", "/v1/auth/mfa/totp", map[string]any{"password": "wrong password!", "code": totpCode(t, ts, secret, 0)}, authz).
		WantError(t, http.StatusBadRequest, "invalid_request")
	c.Do("DELETE", "/v1/auth/mfa/totp", map[string]any{"password": testPassword, "code": totpCode(t, ts, secret, 0)}, authz).
		Want(t, http.StatusNoContent)
	login(t, c, "rm@example.com", "laptop")
	st := c.Do("GET", "/v1/auth/mfa", nil, authz).Want(t, http.StatusOK).JSON()
	if st["totp"] != "none" || st["recovery_codes_remaining"].(float64) != 0 || len(st["methods"].([]any)) != 0 {
		t.Fatalf("status after removal %v", st)
	}
}
