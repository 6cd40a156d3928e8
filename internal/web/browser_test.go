package web_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/tessera-id/tessera/internal/auth"
	"github.com/tessera-id/tessera/internal/browsertest"
)

func TestMain(m *testing.M) { browsertest.Main(m) }

// run runs chromedp actions in the tab, failing the test on an error.
func run(t *testing.T, tab *browsertest.Tab, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab.Context(), 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatalf("chromedp: %v", err)
	}
}

// colorScheme emulates prefers-color-scheme in the tab.
func colorScheme(t *testing.T, tab *browsertest.Tab, scheme string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab.Context(), 30*time.Second)
	defer cancel()
	params := emulation.SetEmulatedMediaParams{Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}}
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, params); err != nil {
		t.Fatalf("emulate %s: %v", scheme, err)
	}
}

// waitPage waits until cond is true in the tab, across the navigation a
// form post causes (an evaluation cut short by it is tried again).
func waitPage(t *testing.T, tab *browsertest.Tab, cond string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if ok, err := browsertest.TryEval[bool](tab, "document.readyState === 'complete' && !!("+cond+")"); err == nil && ok {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("waiting for %s: %s", cond, browsertest.Eval[string](tab, "location.href + ' ' + document.title"))
}

// deployment is Tessera on auth.tessera.test with one account.
func deployment(t *testing.T) *browsertest.Deployment {
	t.Helper()
	d := browsertest.NewDeployment(t, nil)
	d.Tessera.NewClient(t).Do("POST", "/v1/auth/register", map[string]any{"email": "ada@example.com", "password": testPassword}).Want(t, http.StatusCreated)
	return d
}

// ssoSessions counts live browser sign-ins.
func ssoSessions(t *testing.T, d *browsertest.Deployment) int {
	t.Helper()
	var n int
	if err := d.Tessera.DB.SQL().Get(&n, `SELECT count(*) FROM sessions WHERE kind = 'sso' AND revoked_at IS NULL`); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestBrowserSignInByTyping: a person types the address and the password
// and presses Enter; the page signs the browser in.
func TestBrowserSignInByTyping(t *testing.T) {
	d := deployment(t)
	tab := browsertest.NewProfile(t).Open(d.Issuer() + "/signin")
	run(t, tab,
		chromedp.SendKeys(chromedp.ID("identifier"), "ada@example.com"),
		chromedp.SendKeys(chromedp.ID("password"), testPassword+"\r"),
	)
	waitPage(t, tab, `document.querySelector("h1") && document.querySelector("h1").textContent === "You are signed in"`)
	if n := ssoSessions(t, d); n != 1 {
		t.Fatalf("%d browser sign-ins, want 1", n)
	}
}

// TestKeyboardOnly: from the autofocused first field, Tab reaches every
// field, the buttons (the passkey one after the password's) and the links
// in reading order, and Enter on the button signs in.
func TestKeyboardOnly(t *testing.T) {
	d := deployment(t)
	tab := browsertest.NewProfile(t).Open(d.Issuer() + "/signin")
	focused := func() string {
		return browsertest.Eval[string](tab, `(() => { const e = document.activeElement; return e.id || e.getAttribute("href") || e.tagName.toLowerCase() + "." + e.className; })()`)
	}
	// Chromium focuses an autofocus field at its next rendering update,
	// which can come after the load on a busy machine: the field must get
	// the focus, within waitPage's time, before any key is pressed.
	waitPage(t, tab, `document.activeElement !== null && document.activeElement.id === "identifier"`)
	want := []string{"identifier", "password", "button.primary", "passkey-button", "/forgot-password", "/signup"}
	var got []string
	for i := range want {
		if i > 0 {
			run(t, tab, chromedp.KeyEvent("\t"))
		}
		got = append(got, focused())
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("tab order %v, want %v", got, want)
	}
	run(t, tab, chromedp.KeyEvent("\t"+"\t")) // wraps past the page chrome
	run(t, tab, chromedp.Focus(chromedp.ID("identifier")), chromedp.KeyEvent("ada@example.com"),
		chromedp.KeyEvent("\t"), chromedp.KeyEvent(testPassword), chromedp.KeyEvent("\t"))
	if f := focused(); f != "button.primary" {
		t.Fatalf("focus on %q, want the button", f)
	}
	run(t, tab, chromedp.KeyEvent("\r"))
	waitPage(t, tab, `document.querySelector("h1") && document.querySelector("h1").textContent === "You are signed in"`)
}

// shotsDir is where the page screenshots go, for people to look at.
const shotsDir = "/tmp/shots/pages"

// TestScreenshots saves every page at desktop and phone sizes, light and
// dark, and fails when a page scrolls sideways on the phone.
func TestScreenshots(t *testing.T) {
	if err := os.MkdirAll(shotsDir, 0o755); err != nil {
		t.Fatal(err)
	}
	d := deployment(t)
	name, firstParty := "Acme Reports", false
	if _, _, err := d.Tessera.Auth.AdminCreateClient(t.Context(), auth.Actor{}, auth.ClientInput{
		ID: "reports", Name: &name, RedirectURIs: []string{appRedirect}, FirstParty: &firstParty,
	}); err != nil {
		t.Fatal(err)
	}
	phone := "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
	d.Tessera.NewClient(t).Do("POST", "/v1/auth/login", map[string]any{"email": "ada@example.com", "password": testPassword},
		"User-Agent: "+phone).Want(t, http.StatusOK)
	d.Tessera.NewClient(t).Do("POST", "/v1/auth/login", map[string]any{"email": "ada@example.com", "password": testPassword,
		"device_name": "Build server"}).Want(t, http.StatusOK)
	d.Tessera.NewClient(t).Do("POST", "/v1/auth/register", map[string]any{"email": "grace@example.com", "password": testPassword}).
		Want(t, http.StatusCreated)
	d.Tessera.EnrolTOTP(t, "grace@example.com", testPassword)
	tab := browsertest.NewProfile(t).Open(d.Issuer() + "/signin")
	codeStep := func() {
		run(t, tab, chromedp.SendKeys(chromedp.ID("identifier"), "grace@example.com"),
			chromedp.SendKeys(chromedp.ID("password"), testPassword+"\r"))
		waitPage(t, tab, `location.pathname === "/signin/mfa"`)
	}
	signInErrors := func() {
		run(t, tab, chromedp.SendKeys(chromedp.ID("identifier"), "ada@example.com"),
			chromedp.SendKeys(chromedp.ID("password"), "not the password at all\r"))
		waitPage(t, tab, `document.querySelector("[role=alert]") !== null`)
	}
	pages := []struct {
		name, path string
		then       func()
	}{
		{"signin", "/signin", nil},
		{"signin-client", "/signin?return_to=%2Foauth%2Fauthorize%3Fclient_id%3Ddefault", nil},
		{"signin-errors", "/signin", signInErrors},
		{"signin-passkey-failed", "/signin", func() {
			// The passkey form posted with no answer: the page says the
			// passkey could not sign in.
			waitPage(t, tab, `!document.getElementById("passkey-form").hidden`)
			_, _ = browsertest.TryEval[any](tab, `document.getElementById("passkey-form").submit()`)
			waitPage(t, tab, `document.querySelector("[role=alert]") !== null`)
		}},
		{"signup", "/signup", nil},
		{"forgot", "/forgot-password", nil},
		{"reset", "/reset-password?uid=x&token=y", nil},
		{"verify", "/verify-email?key=k", nil},
		{"verify-resend", "/verify-email", nil},
		{"notice", "/forgot-password", func() {
			run(t, tab, chromedp.SendKeys(chromedp.ID("email"), "ada@example.com\r"))
			waitPage(t, tab, `document.querySelector("h1").textContent === "Check your inbox"`)
		}},
		{"mfa", "/signin", codeStep},
		{"mfa-errors", "/signin/mfa", func() {
			run(t, tab, chromedp.SendKeys(chromedp.ID("code"), "12345\r"))
			waitPage(t, tab, `document.querySelector("[role=alert]") !== null`)
		}},
		{"mfa-recovery", "/signin/mfa?method=recovery_code", nil},
		{"signed-in", "/signin", func() {
			run(t, tab, chromedp.SendKeys(chromedp.ID("identifier"), "ada@example.com"),
				chromedp.SendKeys(chromedp.ID("password"), testPassword+"\r"))
			waitPage(t, tab, `document.querySelector("h1").textContent === "You are signed in"`)
		}},
		{"consent", authorizePath("reports", "scope", "openid profile email offline_access"), nil},
		{"account", "/account", nil},
		{"account-key", "/account", func() {
			run(t, tab, chromedp.Click(`form[action="/account/token/create"] button`))
			waitPage(t, tab, `document.querySelector("#new-key") !== null`)
		}},
		{"account-confirm", "/account", func() {
			run(t, tab, chromedp.Click(`form[action="/account/devices/revoke"] button`))
			waitPage(t, tab, `document.title === "Revoke a device · Tessera"`)
		}},
		{"logout-question", "/oauth/logout", nil},
		{"authorize-error", "/oauth/authorize?response_type=code&client_id=reports&redirect_uri=https%3A%2F%2Fapp.example%2Fcb%2F", nil},
		{"error", "/signin", func() {
			// The browser is signed in: with its database gone, the page
			// cannot look the sign-in up and answers the error page.
			_ = d.Tessera.DB.Close()
			tab.Navigate(d.Issuer() + "/signin")
		}},
	}
	for _, pg := range pages {
		tab.Navigate(d.Issuer() + pg.path)
		if pg.then != nil {
			pg.then()
		}
		screenshot(t, tab, pg.name)
	}
}

// screenshot saves the page shown in tab as name at desktop and phone
// sizes, light and dark, under shotsDir, and fails when it scrolls
// sideways on the phone.
func screenshot(t *testing.T, tab *browsertest.Tab, name string) {
	t.Helper()
	for _, scheme := range []string{"light", "dark"} {
		colorScheme(t, tab, scheme)
		for _, size := range []struct {
			name string
			w, h int64
		}{{"desktop", 1280, 800}, {"phone", 390, 844}} {
			path := filepath.Join(shotsDir, fmt.Sprintf("%s-%s-%s.png", name, size.name, scheme))
			if err := tab.Screenshot(path, size.w, size.h); err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			if wide := browsertest.Eval[bool](tab, `document.documentElement.scrollWidth > window.innerWidth`); wide {
				t.Errorf("%s scrolls sideways at %dx%d", name, size.w, size.h)
			}
		}
	}
}

// TestBrowserSignInWithCode: a person with an authenticator app types the
// password, lands on the code step with the numeric field focused, types
// the code from the app and is signed in, the sign-in recording both
// factors.
func TestBrowserSignInWithCode(t *testing.T) {
	d := deployment(t)
	secret, _ := d.Tessera.EnrolTOTP(t, "ada@example.com", testPassword)
	tab := browsertest.NewProfile(t).Open(d.Issuer() + "/signin")
	run(t, tab,
		chromedp.SendKeys(chromedp.ID("identifier"), "ada@example.com"),
		chromedp.SendKeys(chromedp.ID("password"), testPassword+"\r"),
	)
	waitPage(t, tab, `location.pathname === "/signin/mfa" && document.activeElement.id === "code"`)
	if got := browsertest.Eval[string](tab, `document.activeElement.getAttribute("inputmode") + " " + document.activeElement.autocomplete`); got != "numeric one-time-code" {
		t.Fatalf("code field: %q", got)
	}
	if n := ssoSessions(t, d); n != 0 {
		t.Fatalf("%d browser sign-ins before the code, want 0", n)
	}
	run(t, tab, chromedp.KeyEvent(d.Tessera.TOTPCode(t, secret, 0)+"\r"))
	waitPage(t, tab, `document.querySelector("h1") && document.querySelector("h1").textContent === "You are signed in"`)
	var amr string
	if err := d.Tessera.DB.SQL().Get(&amr, `SELECT amr FROM sessions WHERE kind = 'sso' AND revoked_at IS NULL`); err != nil {
		t.Fatal(err)
	}
	if amr != `["pwd","otp","mfa"]` {
		t.Fatalf("amr %s", amr)
	}
}

// TestScreenshotsAccountSecondFactors saves the account page's Second
// factors section while adding an app (QR code, key, code field) and with
// the recovery codes shown, at desktop and phone sizes, light and dark.
func TestScreenshotsAccountSecondFactors(t *testing.T) {
	if err := os.MkdirAll(shotsDir, 0o755); err != nil {
		t.Fatal(err)
	}
	d := deployment(t)
	tab := browsertest.NewProfile(t).Open(d.Issuer() + "/signin?return_to=%2Faccount")
	run(t, tab, chromedp.SendKeys(chromedp.ID("identifier"), "ada@example.com"),
		chromedp.SendKeys(chromedp.ID("password"), testPassword+"\r"))
	waitPage(t, tab, `location.pathname === "/account"`)
	run(t, tab, chromedp.SendKeys(chromedp.ID("mfa-password"), testPassword+"\r"))
	waitPage(t, tab, `document.querySelector(".qr svg") !== null`)
	secret := browsertest.Eval[string](tab, `document.getElementById("mfa-secret").value`)
	shootSection(t, tab, "mfa", "account-mfa-enrol")
	d.Tessera.NextTOTPStep()
	run(t, tab, chromedp.SendKeys(chromedp.ID("mfa-confirm-code"), d.Tessera.TOTPCode(t, secret, 0)+"\r"))
	waitPage(t, tab, `document.querySelector(".codes") !== null`)
	shootSection(t, tab, "mfa", "account-mfa-codes")
}

// shootSection saves the page scrolled to the element with id section,
// as screenshot does, and leaves the tab in the light scheme.
func shootSection(t *testing.T, tab *browsertest.Tab, section, name string) {
	t.Helper()
	if err := os.MkdirAll(shotsDir, 0o755); err != nil {
		t.Fatal(err)
	}
	run(t, tab, chromedp.ScrollIntoView(chromedp.ID(section)))
	screenshot(t, tab, name)
	colorScheme(t, tab, "light")
}
