package web_test

import (
	"context"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tessera-id/tessera/internal/auth"
	"github.com/tessera-id/tessera/internal/browsertest"
	"github.com/tessera-id/tessera/pkg/jwtverify"
)

// consoleDeployment is Tessera on auth.tessera.test with an admin
// (root@example.com) and a user (ada@example.com).
func consoleDeployment(t *testing.T) *browsertest.Deployment {
	t.Helper()
	d := deployment(t)
	api := d.Tessera.NewClient(t)
	api.Do("POST", "/v1/auth/register", map[string]any{"email": "root@example.com", "password": testPassword}).Want(t, http.StatusCreated)
	root, err := d.Tessera.Auth.AdminFindUser(t.Context(), "root@example.com")
	if err != nil {
		t.Fatal(err)
	}
	yes := true
	if _, err := d.Tessera.Auth.AdminUpdateUser(t.Context(), auth.Actor{Operator: "test"}, root.ID, auth.UserPatch{IsAdmin: &yes}); err != nil {
		t.Fatal(err)
	}
	return d
}

// adminSignIn opens the console in a new browser and signs in as root.
func adminSignIn(t *testing.T, d *browsertest.Deployment, path string) *browsertest.Tab {
	t.Helper()
	tab := browsertest.NewProfile(t).Open(d.Issuer() + "/signin?return_to=" + path)
	run(t, tab, chromedp.SendKeys(chromedp.ID("identifier"), "root@example.com"),
		chromedp.SendKeys(chromedp.ID("password"), testPassword+"\r"))
	waitPage(t, tab, `location.pathname === "`+path+`"`)
	return tab
}

// TestConsoleRevokesDeviceInBrowser: an admin signs in, finds a user by
// e-mail, opens their page and revokes device A (signed in with cookies).
// A's refresh cookie and
// access cookie fail at once, a resource server watching the revocation
// feed refuses A's access token after one poll, and device B keeps
// working.
func TestConsoleRevokesDeviceInBrowser(t *testing.T) {
	d := consoleDeployment(t)
	ts := d.Tessera
	api := ts.NewClient(t)
	a := loginWithCookies(t, d) // "Ada's tablet"
	b := api.Do("POST", "/v1/auth/login", map[string]any{"email": "ada@example.com", "password": testPassword, "device_name": "Laptop B"}).Want(t, http.StatusOK)
	watcher := jwtverify.NewRevocationWatcher(context.Background(), ts.URL+"/v1/revocations",
		jwtverify.WithPollInterval(time.Hour), jwtverify.WithClock(ts.Clock.Now))
	t.Cleanup(func() { watcher.Close() })
	v, err := jwtverify.NewVerifier(ts.Keys, jwtverify.WithIssuer(ts.Config.Issuer), jwtverify.WithAudience(ts.Config.Audiences()[0]),
		jwtverify.WithClock(ts.Clock.Now), jwtverify.WithRevocations(watcher))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(t.Context(), a.access); err != nil {
		t.Fatalf("A's access token before the revocation: %v", err)
	}

	tab := adminSignIn(t, d, "/admin/users")
	run(t, tab, chromedp.SendKeys(chromedp.ID("q"), "ada@example.com\r"))
	waitPage(t, tab, `location.search.includes("q=ada") && document.querySelectorAll("tbody tr").length === 1`)
	run(t, tab, chromedp.Click(`tbody a`))
	waitPage(t, tab, `document.title.startsWith("ada@example.com · Admin")`)
	run(t, tab, chromedp.Click(`form[action$="/sessions/`+a.sessionID+`/revoke"] button`))
	waitPage(t, tab, `document.title.startsWith("Revoke this device?")`)
	if got := browsertest.Eval[string](tab, `document.querySelector("main p").textContent`); !strings.Contains(got, "Ada's tablet") || !strings.Contains(got, "ada@example.com") {
		t.Errorf("the confirmation says %q, want the device and its user named", got)
	}
	run(t, tab, chromedp.Click(`button.danger`))
	waitPage(t, tab, `document.querySelector("[role=status]") && document.querySelector("[role=status]").textContent === "The device is signed out."`)
	if got := browsertest.Eval[string](tab, `document.querySelector("#devices").textContent`); strings.Contains(got, "Ada's tablet") || !strings.Contains(got, "Laptop B") {
		t.Errorf("devices after the revocation: %q", got)
	}

	if s := a.refresh(api); s != http.StatusBadRequest {
		t.Errorf("A's refresh cookie after the revocation: %d, want 400", s)
	}
	if s := a.me(api); s != http.StatusUnauthorized {
		t.Errorf("A's access cookie after the revocation: %d, want 401", s)
	}
	ts.Clock.Advance(time.Second) // time passes between a revocation and the next poll
	if err := watcher.Poll(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(t.Context(), a.access); err == nil {
		t.Error("a watching verifier still accepts A's access token after one poll")
	}
	if _, err := v.Verify(t.Context(), b.Str("access_token")); err != nil {
		t.Errorf("B's access token: %v", err)
	}
	api.Do("GET", "/v1/auth/me", nil, "Authorization: Bearer "+b.Str("access_token")).Want(t, http.StatusOK)
	api.Do("POST", "/v1/auth/refresh", map[string]any{"refresh_token": b.Str("refresh_token")}).Want(t, http.StatusOK)
}

// TestScreenshotsConsole saves every console page (as TestScreenshots
// does the others), on a site with a few users, devices, a classic token,
// clients and a rotated key, so that tables, badges and lists have
// something to show.
func TestScreenshotsConsole(t *testing.T) {
	if err := os.MkdirAll(shotsDir, 0o755); err != nil {
		t.Fatal(err)
	}
	d := consoleDeployment(t)
	ts, ctx, op := d.Tessera, t.Context(), auth.Actor{Operator: "test"}
	api := ts.NewClient(t)
	for _, e := range []string{"grace.hopper@example.com", "linus@example.org", "margaret.hamilton@example.com"} {
		api.Do("POST", "/v1/auth/register", map[string]any{"email": e, "password": testPassword}).Want(t, http.StatusCreated)
	}
	no, yes := false, true
	linus, _ := ts.Auth.AdminFindUser(ctx, "linus@example.org")
	if _, err := ts.Auth.AdminUpdateUser(ctx, op, linus.ID, auth.UserPatch{IsActive: &no}); err != nil {
		t.Fatal(err)
	}
	grace, _ := ts.Auth.AdminFindUser(ctx, "grace.hopper@example.com")
	if _, err := ts.Auth.AdminUpdateUser(ctx, op, grace.ID, auth.UserPatch{EmailVerified: &yes}); err != nil {
		t.Fatal(err)
	}
	for _, dev := range []struct{ name, ua string }{
		{"", "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"},
		{"Ada's phone", "Tessera-iOS/2.3 CFNetwork/1494 Darwin/23.5.0"},
	} {
		api.Do("POST", "/v1/auth/login", map[string]any{"email": "ada@example.com", "password": testPassword, "device_name": dev.name},
			"User-Agent: "+dev.ua).Want(t, http.StatusOK)
	}
	ada, _ := ts.Auth.AdminFindUser(ctx, "ada@example.com")
	if _, err := ts.Auth.ObtainClassicToken(ctx, ada, auth.Device{}); err != nil {
		t.Fatal(err)
	}
	name, typ := "Acme Reports", "confidential"
	if _, _, err := ts.Auth.AdminCreateClient(ctx, op, auth.ClientInput{ID: "reports", Name: &name, Type: &typ,
		RedirectURIs: []string{"https://reports.example.com/callback"}, CORSOrigins: []string{"https://reports.example.com"}}); err != nil {
		t.Fatal(err)
	}
	ts.Clock.Advance(time.Second)
	if _, err := ts.Auth.AdminRotateKeys(ctx, op); err != nil {
		t.Fatal(err)
	}

	tab := adminSignIn(t, d, "/admin")
	// submit presses the button sel and waits for the page where cond
	// holds.
	submit := func(sel, cond string) func() {
		return func() {
			run(t, tab, chromedp.Click(sel))
			waitPage(t, tab, cond)
		}
	}
	title := func(prefix string) string { return `document.title.startsWith("` + prefix + `")` }
	user := "/admin/users/" + ada.ID.String()
	pages := []struct {
		name, path string
		then       func()
	}{
		{"admin-overview", "/admin", nil},
		{"admin-users", "/admin/users", nil},
		{"admin-users-search", "/admin/users?q=ada&active=yes", nil},
		{"admin-user", user, nil},
		{"admin-user-delete", user, submit(`form[action$="/delete"] button`, title("Delete this user?"))},
		{"admin-session-revoke", user, submit(`form[action*="/sessions/"] button`, title("Revoke this device?"))},
		{"admin-user-self", "/admin/users?q=root", submit(`tbody a`, title("root@example.com"))},
		{"admin-clients", "/admin/clients", nil},
		{"admin-client-new", "/admin/clients/new", nil},
		{"admin-client-errors", "/admin/clients/new", submit(`form.client-form button[type=submit]`, `document.querySelector("[role=alert]") !== null`)},
		{"admin-client-edit", "/admin/clients/reports", nil},
		{"admin-client-secret", "/admin/clients/reports", func() {
			submit(`form[action$="/secret"] button`, title("Rotate this client's secret?"))()
			submit(`button.danger`, `document.querySelector("#secret") !== null`)()
		}},
		{"admin-audit", "/admin/audit", nil},
		{"admin-audit-errors", "/admin/audit?event=Login&user=nobody%40example.com&since=x", nil},
		{"admin-keys", "/admin/keys", nil},
		{"admin-keys-confirm", "/admin/keys", submit(`form[action="/admin/keys/rotate"] button`, title("Rotate the signing keys?"))},
	}
	for _, pg := range pages {
		tab.Navigate(d.Issuer() + pg.path)
		if pg.then != nil {
			pg.then()
		}
		screenshot(t, tab, pg.name)
	}

	other := browsertest.NewProfile(t).Open(d.Issuer() + "/signin?return_to=/admin")
	run(t, other, chromedp.SendKeys(chromedp.ID("identifier"), "ada@example.com"),
		chromedp.SendKeys(chromedp.ID("password"), testPassword+"\r"))
	waitPage(t, other, `document.querySelector("h1") && document.querySelector("h1").textContent === "This page is for administrators"`)
	screenshot(t, other, "admin-forbidden")
}
