package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/tessera-id/tessera/internal/browsertest"
	"github.com/tessera-id/tessera/internal/config"
)

// passkeyDeployment is the deployment with passkeys for the whole site:
// relying party tessera.test, ceremonies from Tessera's pages and the
// app front-end.
func passkeyDeployment(t *testing.T) *browsertest.Deployment {
	t.Helper()
	var d *browsertest.Deployment
	d = browsertest.NewDeployment(t, func(c *config.Config) {
		c.WebAuthnRPID = browsertest.CookieDomain
		c.WebAuthnOrigins = []string{strings.Replace(c.Issuer, browsertest.AuthHost, browsertest.AppHost, 1), c.Issuer}
	})
	d.Tessera.NewClient(t).Do("POST", "/v1/auth/register", map[string]any{"email": "ada@example.com", "password": testPassword}).Want(t, http.StatusCreated)
	return d
}

// signInWithPasskey presses "Sign in with a passkey" on the hosted page
// and waits for the page it leads to.
func signInWithPasskey(t *testing.T, d *browsertest.Deployment, tab *browsertest.Tab) string {
	t.Helper()
	tab.Navigate(d.Issuer() + "/signin")
	waitPage(t, tab, `!document.getElementById("passkey-form").hidden`)
	run(t, tab, chromedp.Click("#passkey-button"))
	waitPage(t, tab, `document.querySelector("h1").textContent === "You are signed in" || document.querySelector("[role=alert]") !== null || document.getElementById("passkey-status").textContent !== ""`)
	return browsertest.Eval[string](tab, `document.querySelector("h1").textContent + " | " + (document.querySelector("[role=alert]") || {textContent: ""}).textContent.trim()`)
}

// TestPasskeyInChromium: in Chromium with a virtual authenticator, a
// person adds a passkey from the app (t.passkeys.register), signs out,
// and signs in on the hosted page with the passkey alone, or with the
// password and the passkey as its second step; a copy of the
// credential with a lower counter is refused; the app signs in with it
// (t.passkeys.login) and removes it, and then it signs in no more.
func TestPasskeyInChromium(t *testing.T) {
	d := passkeyDeployment(t)
	tab := browsertest.NewProfile(t).Open(d.Origin(browsertest.AppHost) + "/")
	auth := tab.AddAuthenticator()
	browsertest.Eval[any](tab, "window.ready")
	browsertest.Eval[any](tab, `t.login({email: "ada@example.com", password: "`+testPassword+`"})`)
	pk := browsertest.Eval[map[string]any](tab, `t.passkeys.register({name: "Chromium"})`)
	if pk["name"] != "Chromium" || pk["user_verified"] != true {
		t.Fatalf("registered: %v", pk)
	}
	if n := browsertest.Eval[int](tab, `t.passkeys.list().then((l) => l.length)`); n != 1 {
		t.Fatalf("%d passkeys listed, want 1", n)
	}
	browsertest.Eval[any](tab, `t.logout()`)
	if ssoSessions(t, d) != 0 {
		t.Fatal("a browser sign-in exists before the passkey one")
	}

	if got := signInWithPasskey(t, d, tab); !strings.HasPrefix(got, "You are signed in") {
		t.Fatalf("passkey sign-in: %s", got)
	}
	if n := ssoSessions(t, d); n != 1 {
		t.Fatalf("%d browser sign-ins, want 1", n)
	}
	var amr string
	if err := d.Tessera.DB.SQL().Get(&amr, `SELECT amr FROM sessions WHERE kind = 'sso' AND revoked_at IS NULL`); err != nil || amr != `["hwk","user","mfa"]` {
		t.Errorf("amr of the passkey sign-in: %q, %v", amr, err)
	}
	run(t, tab, chromedp.Click(`form[action="/signout"] button`))
	waitPage(t, tab, `document.getElementById("passkey-form") !== null`)

	// The password alone leads to the second step, which a passkey ends.
	tab.Navigate(d.Issuer() + "/signin")
	run(t, tab, chromedp.SendKeys(chromedp.ID("identifier"), "ada@example.com"),
		chromedp.SendKeys(chromedp.ID("password"), testPassword+"\r"))
	waitPage(t, tab, `location.pathname === "/signin/mfa" && !document.getElementById("passkey-form").hidden`)
	if browsertest.Eval[bool](tab, `document.getElementById("code") !== null`) {
		t.Error("the second step of a passkey-only account shows a code field")
	}
	run(t, tab, chromedp.Click("#passkey-button"))
	waitPage(t, tab, `document.querySelector("h1").textContent === "You are signed in"`)
	if err := d.Tessera.DB.SQL().Get(&amr, `SELECT amr FROM sessions WHERE kind = 'sso' AND revoked_at IS NULL`); err != nil || amr != `["pwd","hwk","user","mfa"]` {
		t.Errorf("amr of password and passkey: %q, %v", amr, err)
	}
	run(t, tab, chromedp.Click(`form[action="/signout"] button`))
	waitPage(t, tab, `document.getElementById("passkey-form") !== null`)

	// A clone: the same key, its counter set back below the one stored.
	creds := auth.Credentials()
	if len(creds) != 1 || creds[0].SignCount < 2 {
		t.Fatalf("authenticator holds %+v", creds)
	}
	clone := *creds[0]
	clone.SignCount = 1
	auth.Replace(&clone)
	if got := signInWithPasskey(t, d, tab); !strings.Contains(got, "could not sign you in") {
		t.Fatalf("cloned credential: %s", got)
	}
	var refused int
	if err := d.Tessera.DB.SQL().Get(&refused, `SELECT count(*) FROM audit_events WHERE event = 'passkey_clone_refused'`); err != nil || refused != 1 {
		t.Errorf("clone refusals audited: %d, %v", refused, err)
	}

	// With a passkey, the password alone no longer signs in (the passkey
	// is a second factor); the person signs in to the app with the
	// passkey (t.passkeys.login), removes it, and it signs in no more.
	auth.Replace(creds[0]) // the genuine one, counter and all
	tab.Navigate(d.Origin(browsertest.AppHost) + "/")
	browsertest.Eval[any](tab, "window.ready")
	pending := browsertest.Eval[map[string]any](tab, `t.login({email: "ada@example.com", password: "`+testPassword+`"})`)
	if methods, _ := pending["methods"].([]any); pending["mfaRequired"] != true || len(methods) != 1 || methods[0] != "webauthn" {
		t.Fatalf("password alone with a passkey enrolled: %v", pending)
	}
	if u := browsertest.Eval[map[string]any](tab, `t.passkeys.login()`); u["email"] != "ada@example.com" {
		t.Fatalf("t.passkeys.login answered %v", u)
	}
	browsertest.Eval[any](tab, `t.passkeys.list().then((l) => t.passkeys.remove(l[0].id))`)
	browsertest.Eval[any](tab, `t.logout()`)
	if got := signInWithPasskey(t, d, tab); !strings.Contains(got, "could not sign you in") {
		t.Fatalf("removed passkey: %s", got)
	}
	if n := ssoSessions(t, d); n != 0 {
		t.Fatalf("%d browser sign-ins after the refusals, want 0", n)
	}
}

// TestAccountPasskeyInChromium: in Chromium with a virtual authenticator,
// a person signs in with the password, adds a passkey on /account (the
// button, the page's own script), signs out, signs in on the hosted page
// with the passkey alone, removes it on /account through the
// confirmation page, signs out, and the passkey signs in no more. The
// section with a passkey listed, and with a refused rename, is saved as
// screenshots.
func TestAccountPasskeyInChromium(t *testing.T) {
	d := passkeyDeployment(t)
	tab := browsertest.NewProfile(t).Open(d.Issuer() + "/signin?return_to=%2Faccount")
	tab.AddAuthenticator()
	run(t, tab, chromedp.SendKeys(chromedp.ID("identifier"), "ada@example.com"),
		chromedp.SendKeys(chromedp.ID("password"), testPassword+"\r"))
	waitPage(t, tab, `location.pathname === "/account" && !document.getElementById("passkey-form").hidden`)
	if browsertest.Eval[bool](tab, `!document.getElementById("passkey-noscript").hidden`) {
		t.Error("the no-script sentence shows beside the working button")
	}
	run(t, tab, chromedp.SendKeys(chromedp.ID("passkey-name"), "Work laptop"), chromedp.Click("#passkey-button"))
	waitPage(t, tab, `location.search === "?done=passkey_added" || document.getElementById("passkey-status").textContent !== ""`)
	if got := browsertest.Eval[string](tab, `document.querySelector(".done").textContent`); got != "The passkey is added: you can sign in with it now." {
		t.Fatalf("after adding: %q (%s)", got, browsertest.Eval[string](tab, `document.getElementById("passkey-status").textContent`))
	}
	if got := browsertest.Eval[string](tab, `document.querySelector("#passkeys .item-name").textContent`); !strings.HasPrefix(got, "Work laptop") {
		t.Fatalf("listed: %q", got)
	}
	var added int
	if err := d.Tessera.DB.SQL().Get(&added, `SELECT count(*) FROM audit_events WHERE event = 'passkey_added'`); err != nil || added != 1 {
		t.Errorf("passkey_added events: %d, %v", added, err)
	}
	shootSection(t, tab, "passkeys", "account-passkeys")

	// A refused rename (the name emptied) keeps the row's field as it was
	// left and says why beneath it.
	browsertest.Eval[any](tab, `document.querySelector("#passkeys form.rename input[name=name]").value = ""`)
	run(t, tab, chromedp.Click(`#passkeys form.rename button`))
	waitPage(t, tab, `document.querySelector("#passkeys form.rename .field-error") !== null`)
	if got := browsertest.Eval[string](tab, `document.querySelector("#passkeys form.rename .field-error").textContent`); got != "This field is required" {
		t.Errorf("under the emptied name: %q", got)
	}
	shootSection(t, tab, "passkeys", "account-passkeys-rename-error")
	tab.Navigate(d.Issuer() + "/account")
	waitPage(t, tab, `location.pathname === "/account"`)

	run(t, tab, chromedp.Click(`form[action="/signout"] button`))
	waitPage(t, tab, `location.pathname !== "/account" && document.getElementById("passkey-form") !== null`)
	if got := signInWithPasskey(t, d, tab); !strings.HasPrefix(got, "You are signed in") {
		t.Fatalf("passkey sign-in: %s", got)
	}

	tab.Navigate(d.Issuer() + "/account")
	waitPage(t, tab, `location.pathname === "/account"`)
	if got := browsertest.Eval[string](tab, `document.querySelector("#passkeys .meta").textContent`); strings.Contains(got, "never") {
		t.Errorf("the used passkey says %q", got)
	}
	run(t, tab, chromedp.Click(`form[action="/account/passkeys/remove"] button`))
	waitPage(t, tab, `document.querySelector("h1").textContent === "Remove this passkey?"`)
	run(t, tab, chromedp.Click(`main form button[type=submit]`))
	waitPage(t, tab, `location.search === "?done=passkey_removed"`)
	if browsertest.Eval[bool](tab, `document.querySelector("#passkeys .item-name") !== null`) {
		t.Fatal("the removed passkey is still listed")
	}
	run(t, tab, chromedp.Click(`form[action="/signout"] button`))
	waitPage(t, tab, `location.pathname !== "/account" && document.getElementById("passkey-form") !== null`)
	if got := signInWithPasskey(t, d, tab); !strings.Contains(got, "could not sign you in") {
		t.Fatalf("removed passkey: %s", got)
	}
	if n := ssoSessions(t, d); n != 0 {
		t.Fatalf("%d browser sign-ins after the refusal, want 0", n)
	}
}
