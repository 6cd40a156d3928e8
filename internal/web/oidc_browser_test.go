package web_test

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/tessera-id/tessera/internal/auth"
	"github.com/tessera-id/tessera/internal/browsertest"
)

// codeFlowURL is an authorization request of client id for redirect.
func codeFlowURL(d *browsertest.Deployment, id, redirect, state string, extra ...string) string {
	q := url.Values{"response_type": {"code"}, "client_id": {id}, "redirect_uri": {redirect}, "scope": {"openid email"},
		"state": {state}, "code_challenge": {challenge(verifier)}, "code_challenge_method": {"S256"}}
	for i := 0; i+1 < len(extra); i += 2 {
		q.Set(extra[i], extra[i+1])
	}
	return d.Issuer() + "/oauth/authorize?" + q.Encode()
}

// waitRedirect waits until the tab is at redirect and returns the query it
// got there with.
func waitRedirect(t *testing.T, tab *browsertest.Tab, redirect string) url.Values {
	t.Helper()
	waitPage(t, tab, "location.href.startsWith("+strconv.Quote(redirect+"?")+")")
	u, err := url.Parse(browsertest.Eval[string](tab, "location.href"))
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}

// firstPartyClient registers the first-party client id redirecting to
// redirect.
func firstPartyClient(t *testing.T, d *browsertest.Deployment, id, redirect string) {
	t.Helper()
	name, first := "Client "+id, true
	if _, _, err := d.Tessera.Auth.AdminCreateClient(t.Context(), auth.Actor{}, auth.ClientInput{
		ID: id, Name: &name, RedirectURIs: []string{redirect}, FirstParty: &first,
	}); err != nil {
		t.Fatal(err)
	}
}

// signInTyping signs ada in on the sign-in page the tab is sent to, typing
// like a person, and returns the query the tab then reaches redirect with.
func signInTyping(t *testing.T, tab *browsertest.Tab, redirect string) url.Values {
	t.Helper()
	waitPage(t, tab, "document.getElementById('identifier')")
	run(t, tab,
		chromedp.SendKeys(chromedp.ID("identifier"), "ada@example.com"),
		chromedp.SendKeys(chromedp.ID("password"), testPassword+"\r"),
	)
	return waitRedirect(t, tab, redirect)
}

// TestBrowserCodeFlowAcrossSites: in Chromium, a front-end on one site
// sends the browser to Tessera, the person signs in on the hosted page and
// comes back with a code; a front-end on another site then gets its code
// without anything typed; logging out ends the sign-in for both; a fresh
// browser asking with prompt=none gets
// login_required.
func TestBrowserCodeFlowAcrossSites(t *testing.T) {
	d := deployment(t)
	notes := d.Origin(browsertest.AppHost) + "/oidc-callback"
	tool := d.Origin(browsertest.EvilHost) + "/oidc-callback"
	firstPartyClient(t, d, "notes", notes)
	firstPartyClient(t, d, "tool", tool)
	tab := browsertest.NewProfile(t).Open(codeFlowURL(d, "notes", notes, "st-a"))
	q := signInTyping(t, tab, notes)
	if q.Get("code") == "" || q.Get("state") != "st-a" || q.Get("iss") != d.Issuer() {
		t.Fatalf("first front-end got %v", q)
	}

	tab.Navigate(codeFlowURL(d, "tool", tool, "st-b"))
	q = waitRedirect(t, tab, tool)
	if q.Get("code") == "" || q.Get("state") != "st-b" {
		t.Fatalf("second front-end got %v, want a code without signing in again", q)
	}

	// Logging out at Tessera ends the sign-in for both front-ends. With no
	// id_token_hint Tessera asks first.
	tab.Navigate(d.Issuer() + "/oauth/logout")
	waitPage(t, tab, "document.title.startsWith('Sign out')")
	run(t, tab, chromedp.Click("button.primary"))
	waitPage(t, tab, "document.title.includes('Signed out')")
	for id, redirect := range map[string]string{"notes": notes, "tool": tool} {
		tab.Navigate(codeFlowURL(d, id, redirect, "st-d", "prompt", "none"))
		if q := waitRedirect(t, tab, redirect); q.Get("error") != "login_required" {
			t.Errorf("%s after logout got %v, want login_required", id, q)
		}
	}

	fresh := browsertest.NewProfile(t).Open(codeFlowURL(d, "tool", tool, "st-c", "prompt", "none"))
	q = waitRedirect(t, fresh, tool)
	if q.Get("error") != "login_required" || q.Get("state") != "st-c" || strings.Contains(q.Encode(), "code=") {
		t.Fatalf("fresh browser with prompt=none got %v, want login_required", q)
	}
}

// TestBrowserAuthorizeByPostAcrossSites: in Chromium, a signed-in browser
// on another site posts an authorization request as a form (with
// prompt=none, so a browser that seemed signed out would get
// login_required); Tessera sends it on to the GET, which carries the
// SameSite=Lax sign-in cookie, and the client gets its code.
func TestBrowserAuthorizeByPostAcrossSites(t *testing.T) {
	d := deployment(t)
	tool := d.Origin(browsertest.EvilHost) + "/oidc-callback"
	firstPartyClient(t, d, "tool", tool)
	tab := browsertest.NewProfile(t).Open(codeFlowURL(d, "tool", tool, "st-a"))
	signInTyping(t, tab, tool)

	u, err := url.Parse(codeFlowURL(d, "tool", tool, "st-post", "prompt", "none"))
	if err != nil {
		t.Fatal(err)
	}
	var fields strings.Builder
	for k, vs := range u.Query() {
		fmt.Fprintf(&fields, "f.appendChild(Object.assign(document.createElement('input'), {type: 'hidden', name: %s, value: %s}));",
			strconv.Quote(k), strconv.Quote(vs[0]))
	}
	// The form is made and sent by the page on the other site.
	if !browsertest.Eval[bool](tab, `(() => { const f = document.createElement('form'); f.method = 'post'; f.action = `+
		strconv.Quote(d.Issuer()+"/oauth/authorize")+`;`+fields.String()+`document.body.appendChild(f); f.submit(); return true; })()`) {
		t.Fatal("the form was not sent")
	}
	q := waitRedirect(t, tab, tool)
	if q.Get("state") != "st-post" || q.Get("code") == "" || q.Has("error") {
		t.Fatalf("the posted request got %v, want a code", q)
	}
	if n := d.Requests("POST /oauth/authorize"); n != 1 {
		t.Fatalf("Tessera saw %d POSTs of the authorization endpoint, want 1", n)
	}
}
