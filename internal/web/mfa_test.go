package web_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/tessera-id/tessera/internal/auth"
)

// ssoAMR is the amr of the browser's newest sign-in.
func ssoAMR(t *testing.T, s *site) string {
	t.Helper()
	var amr string
	if err := s.DB.SQL().Get(&amr, `SELECT amr FROM sessions WHERE kind = 'sso' ORDER BY created_at DESC LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	return amr
}

// TestSignInCodeStep: the right password of an account with a second
// factor leads to the code step (the mfa_token in a short-lived HttpOnly
// cookie, never in the URL or the page), not to a sign-in; the page has
// one numeric one-time-code field and a recovery link; a wrong code is
// shown under the field; the right one signs in, recording amr, and
// carries return_to on.
func TestSignInCodeStep(t *testing.T) {
	s := startSite(t, nil)
	s.register(t, "ada@example.com")
	secret, _ := s.EnrolTOTP(t, "ada@example.com", testPassword)
	b := s.browser(t)
	r := b.submit("/signin", "/signin", url.Values{"identifier": {"ada@example.com"}, "password": {testPassword},
		"return_to": {"/account"}}).Want(t, http.StatusSeeOther)
	next := location(t, r.Response)
	if next.Path != "/signin/mfa" || next.Query().Get("return_to") != "/account" || strings.Contains(next.RawQuery, "tsm_") {
		t.Fatalf("sent to %s", next)
	}
	ck := cookie(r, "tessera_mfa")
	if ck == nil || !strings.HasPrefix(ck.Value, "tsm_") || !ck.HttpOnly || ck.MaxAge != 300 {
		t.Fatalf("mfa cookie %+v", ck)
	}
	if cookie(r, "tessera_sso") != nil {
		t.Fatal("the password alone signed the browser in")
	}
	page := b.get(next.String()).Want(t, http.StatusOK)
	wantText(t, page, `inputmode="numeric"`, `autocomplete="one-time-code"`, "Use a recovery code instead")
	if strings.Contains(string(page.Body), ck.Value) {
		t.Fatal("the page shows the mfa_token")
	}
	wrong := "000000"
	if wrong == s.TOTPCode(t, secret, 0) {
		wrong = "111111"
	}
	r = b.submit(next.String(), "/signin/mfa", url.Values{"code": {wrong}, "return_to": {"/account"}}).Want(t, http.StatusBadRequest)
	wantText(t, r, `role="alert"`, "That code is not valid", `aria-describedby="code-error"`)
	r = b.submit(next.String(), "/signin/mfa", url.Values{"code": {s.TOTPCode(t, secret, 0)}, "return_to": {"/account"}}).
		Want(t, http.StatusSeeOther)
	if u := location(t, r.Response); u.String() != "/account" {
		t.Fatalf("after the code: %s", u)
	}
	if sso := cookie(r, "tessera_sso"); sso == nil || sso.Value == "" {
		t.Fatal("no sign-in cookie after the code")
	}
	if gone := cookie(r, "tessera_mfa"); gone == nil || gone.MaxAge >= 0 {
		t.Fatalf("mfa cookie not cleared: %+v", gone)
	}
	if amr := ssoAMR(t, s); amr != `["pwd","otp","mfa"]` {
		t.Fatalf("browser sign-in amr %s", amr)
	}
	// The pending sign-in is spent: the step sends the browser back.
	if u := location(t, b.get("/signin/mfa").Want(t, http.StatusSeeOther).Response); u.Path != "/signin" {
		t.Fatalf("spent step sent to %s", u)
	}
}

// TestSignInRecoveryCodeStep: the recovery form takes a recovery code
// once; the form without a pending sign-in (or with a forged cookie)
// sends the browser to sign in.
func TestSignInRecoveryCodeStep(t *testing.T) {
	s := startSite(t, nil)
	s.register(t, "bo@example.com")
	_, codes := s.EnrolTOTP(t, "bo@example.com", testPassword)
	b := s.browser(t)
	b.signIn("bo@example.com", "")
	page := b.get("/signin/mfa?method=recovery_code").Want(t, http.StatusOK)
	wantText(t, page, "Recovery code", `name="method" value="recovery_code"`, "Use your authenticator app instead")
	r := b.submit("/signin/mfa?method=recovery_code", "/signin/mfa",
		url.Values{"method": {"recovery_code"}, "code": {codes[3]}}).Want(t, http.StatusSeeOther)
	if u := location(t, r.Response); u.Path != "/signin" {
		t.Fatalf("after the recovery code: %s", u)
	}
	b.signIn("bo@example.com", "")
	r = b.submit("/signin/mfa?method=recovery_code", "/signin/mfa",
		url.Values{"method": {"recovery_code"}, "code": {codes[3]}}).Want(t, http.StatusBadRequest)
	wantText(t, r, "That code is not valid")

	other := s.browser(t)
	if u := location(t, other.get("/signin/mfa").Want(t, http.StatusSeeOther).Response); u.Path != "/signin" {
		t.Fatalf("no pending sign-in: sent to %s", u)
	}
	forged := "Cookie: tessera_mfa=tsm_" + strings.Repeat("A", 43)
	if r := other.Do("GET", "/signin/mfa", nil, forged).Want(t, http.StatusSeeOther); location(t, r.Response).Path != "/signin" {
		t.Fatal("a forged mfa cookie was accepted")
	}
}

// TestAuthorizeClientRequiresMFA: a client with require_mfa gets
// access_denied for a sign-in made with the password alone, and a code
// for one that used a second factor; its ID token and access token say
// so in amr.
func TestAuthorizeClientRequiresMFA(t *testing.T) {
	s := startSite(t, nil)
	s.register(t, "plain@example.com")
	s.register(t, "strong@example.com")
	secret, _ := s.EnrolTOTP(t, "strong@example.com", testPassword)
	name, yes := "Bank", true
	if _, _, err := s.Auth.AdminCreateClient(t.Context(), auth.Actor{}, auth.ClientInput{
		ID: "bank", Name: &name, RedirectURIs: []string{appRedirect}, FirstParty: &yes, RequireMFA: &yes,
	}); err != nil {
		t.Fatal(err)
	}
	plain := s.browser(t)
	plain.signIn("plain@example.com", "")
	s.wantClientRedirect(t, plain.get(authorizePath("bank")).Response, "access_denied")

	strong := s.browser(t)
	strong.signIn("strong@example.com", "")
	strong.submit("/signin/mfa", "/signin/mfa", url.Values{"code": {s.TOTPCode(t, secret, 0)}}).Want(t, http.StatusSeeOther)
	q := s.wantClientRedirect(t, strong.get(authorizePath("bank")).Response, "")
	r := s.NewClient(t).Do("POST", "/oauth/token", url.Values{
		"grant_type": {"authorization_code"}, "code": {q.Get("code")}, "redirect_uri": {appRedirect},
		"client_id": {"bank"}, "code_verifier": {verifier},
	}.Encode(), "Content-Type: application/x-www-form-urlencoded").Want(t, http.StatusOK)
	for _, tok := range []string{"id_token", "access_token"} {
		if got := claim(t, r.Str(tok), "amr"); got != `["pwd","otp","mfa"]` {
			t.Errorf("%s amr %s", tok, got)
		}
	}
}

// claim is the raw JSON of one claim of a JWT.
func claim(t *testing.T, raw, name string) string {
	t.Helper()
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", raw)
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]json.RawMessage
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	return string(claims[name])
}

var secretField = regexp.MustCompile(`id="mfa-secret" type="text" readonly name="secret" value="([A-Z2-7]+)"`)

// TestAccountSecondFactors: from the account page a person adds an
// authenticator app (password, then a code; the QR code is inline SVG, the
// recovery codes shown once), makes new recovery codes with a fresh code,
// and removes the app with the password and a code; a wrong code is shown
// in the section.
func TestAccountSecondFactors(t *testing.T) {
	s, b := signedIn(t, nil)
	page := b.get("/account").Want(t, http.StatusOK)
	wantText(t, page, "Second factors", "Add an authenticator app")
	r := b.act("/account/mfa/totp", url.Values{"password": {testPassword}}).Want(t, http.StatusOK)
	wantText(t, r, `<div class="qr"><svg xmlns="http://www.w3.org/2000/svg"`, `autocomplete="one-time-code"`)
	m := secretField.FindSubmatch(r.Body)
	if m == nil {
		t.Fatalf("no key on the page:\n%s", r.Body)
	}
	secret := string(m[1])
	s.NextTOTPStep()
	r = b.act("/account/mfa/totp/confirm", url.Values{"code": {s.TOTPCode(t, secret, 0)}}).Want(t, http.StatusOK)
	wantText(t, r, "Your recovery codes", "Authenticator app on since", "10 recovery codes left")
	if n := strings.Count(string(r.Body), "<li><code>"); n != 10 {
		t.Fatalf("%d recovery codes shown, want 10", n)
	}
	if again := b.get("/account").Want(t, http.StatusOK); strings.Contains(string(again.Body), "Your recovery codes") {
		t.Fatal("the recovery codes were shown twice")
	}
	s.NextTOTPStep()
	wrong := "000000"
	if wrong == s.TOTPCode(t, secret, 0) {
		wrong = "111111"
	}
	r = b.act("/account/mfa/recovery-codes", url.Values{"code": {wrong}}).Want(t, http.StatusBadRequest)
	wantText(t, r, "That code is not valid")
	r = b.act("/account/mfa/recovery-codes", url.Values{"code": {s.TOTPCode(t, secret, 0)}}).Want(t, http.StatusOK)
	wantText(t, r, "Your recovery codes")
	s.NextTOTPStep()
	r = b.act("/account/mfa/totp/remove", url.Values{"password": {testPassword}, "code": {s.TOTPCode(t, secret, 0)}}).
		Want(t, http.StatusSeeOther)
	wantText(t, b.get(location(t, r.Response).String()).Want(t, http.StatusOK), "the password alone", "Add an authenticator app")
}
