package web_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tessera-id/tessera/internal/browsertest"
	"github.com/tessera-id/tessera/internal/server/servertest"
	"github.com/tessera-id/tessera/pkg/jwtverify"
)

// cookieDevice is a device logged in through the API with cookie
// delivery: its cookies, sent back by hand, are its credentials.
type cookieDevice struct {
	sessionID, access, cookies, csrf string
}

func loginWithCookies(t *testing.T, d *browsertest.Deployment) cookieDevice {
	t.Helper()
	r := d.Tessera.NewClient(t).Do("POST", "/v1/auth/login", map[string]any{
		"email": "ada@example.com", "password": testPassword, "delivery": "cookie", "device_name": "Ada's tablet",
	}).Want(t, http.StatusOK)
	dev := cookieDevice{sessionID: r.Str("session_id"), csrf: r.Str("csrf_token")}
	var pairs []string
	for _, c := range r.Cookies() {
		pairs = append(pairs, c.Name+"="+c.Value)
		if strings.HasSuffix(c.Name, "tessera_access") {
			dev.access = c.Value
		}
	}
	dev.cookies = "Cookie: " + strings.Join(pairs, "; ")
	if dev.access == "" || dev.csrf == "" {
		t.Fatalf("cookie login without an access cookie or csrf value: %v", r.Cookies())
	}
	return dev
}

// me is the status of GET /v1/auth/me with the device's cookies.
func (dev cookieDevice) me(c *servertest.Client) int {
	return c.Do("GET", "/v1/auth/me", nil, dev.cookies).StatusCode
}

// refresh is the status of a refresh with the device's refresh cookie.
func (dev cookieDevice) refresh(c *servertest.Client) int {
	return c.Do("POST", "/v1/auth/refresh", map[string]any{}, dev.cookies, "X-CSRF-Token: "+dev.csrf).StatusCode
}

// TestBrowserAccountRevokesDevice: the person signs in on the hosted
// page, opens the account page and revokes device A from its list: A's
// cookies and refresh token fail at once, a resource server's watching
// verifier refuses A's access token after one poll, and device B keeps
// working.
func TestBrowserAccountRevokesDevice(t *testing.T) {
	d := deployment(t)
	a := loginWithCookies(t, d)
	b := d.Tessera.NewClient(t).Do("POST", "/v1/auth/login", map[string]any{"email": "ada@example.com", "password": testPassword}).Want(t, http.StatusOK)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	v, err := jwtverify.FromIssuer(ctx, d.Issuer(), jwtverify.WithAudience(d.Tessera.Config.Audiences()[0]),
		jwtverify.WithHTTPClient(d.Client()), jwtverify.WithClock(d.Tessera.Clock.Now),
		jwtverify.WithRevocationWatcher(jwtverify.WithPollInterval(time.Hour)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = v.Close() })
	for name, raw := range map[string]string{"A": a.access, "B": b.Str("access_token")} {
		if _, err := v.Verify(ctx, raw); err != nil {
			t.Fatalf("%s before the revocation: %v", name, err)
		}
	}

	tab := browsertest.NewProfile(t).Open(d.Issuer() + "/account")
	waitPage(t, tab, `document.querySelector("#identifier") !== null`)
	run(t, tab, chromedp.SendKeys(chromedp.ID("identifier"), "ada@example.com"),
		chromedp.SendKeys(chromedp.ID("password"), testPassword+"\r"))
	waitPage(t, tab, `document.title === "Account · Tessera"`)
	if !browsertest.Eval[bool](tab, `document.body.innerText.includes("Ada's tablet")`) {
		t.Fatal("the account page does not list device A by its name")
	}
	run(t, tab, chromedp.Click(`input[name=id][value="`+a.sessionID+`"] ~ button`))
	waitPage(t, tab, `document.title === "Revoke a device · Tessera"`)
	if text := browsertest.Eval[string](tab, `document.querySelector("main").innerText`); !strings.Contains(text, "Ada's tablet") {
		t.Fatalf("the confirmation does not name the device:\n%s", text)
	}
	run(t, tab, chromedp.Click(`button.danger`))
	waitPage(t, tab, `document.body.innerText.includes("The device is signed out.")`)

	api := d.Tessera.NewClient(t)
	if got := a.me(api); got != http.StatusUnauthorized {
		t.Errorf("A's cookies after the revocation: %d, want 401", got)
	}
	if got := a.refresh(api); got != http.StatusBadRequest && got != http.StatusUnauthorized {
		t.Errorf("A's refresh cookie after the revocation: %d, want refused", got)
	}
	d.Tessera.Clock.Advance(time.Second) // time passes between a revocation and the next poll
	if err := v.RevocationWatcher().Poll(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(ctx, a.access); !errors.Is(err, jwtverify.ErrRevoked) {
		t.Errorf("A's access token after one poll: %v, want revoked", err)
	}
	if _, err := v.Verify(ctx, b.Str("access_token")); err != nil {
		t.Errorf("B's access token: %v", err)
	}
	api.Do("POST", "/v1/auth/refresh", map[string]any{"refresh_token": b.Str("refresh_token")}).Want(t, http.StatusOK)
}
