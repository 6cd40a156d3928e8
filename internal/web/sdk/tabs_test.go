package sdk_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/tessera-id/tessera/internal/auth"
	"github.com/tessera-id/tessera/internal/browsertest"
)

// TestTenTabsRefreshOnce: ten tabs opening at once with an expired access
// token all end signed in through exactly one rotation, with no refresh
// token reused and nothing revoked (one Web Lock across the tabs).
func TestTenTabsRefreshOnce(t *testing.T) {
	d := browsertest.NewDeployment(t, nil)
	p := browsertest.NewProfile(t)
	first := p.Open(d.Origin(browsertest.AppHost) + "/")
	u := register(t, first)
	before := sessionOf(t, d, u.ID)
	refreshes := d.Requests("POST /v1/auth/refresh")
	d.Tessera.Clock.Advance(d.Tessera.Config.AccessTTL + time.Minute)

	tabs := p.OpenAll(10, d.Origin(browsertest.AppHost)+"/")
	for i, tab := range tabs {
		if got := browsertest.Eval[*user](tab, "window.ready"); got == nil || got.ID != u.ID {
			t.Errorf("tab %d: signed in as %+v, want %s", i, got, u.Email)
		}
	}
	after := sessionOf(t, d, u.ID)
	if after.Live != 1 || after.Generation != before.Generation+1 || after.Revoked {
		t.Fatalf("session went from %+v to %+v, want one session rotated exactly once, not revoked", before, after)
	}
	if n := d.Requests("POST /v1/auth/refresh") - refreshes; n != 1 {
		t.Fatalf("the tabs sent %d refresh requests, want 1", n)
	}
	if n := auditCount(t, d, "refresh_reuse"); n != 0 {
		t.Fatalf("%d refresh_reuse events", n)
	}
}

// TestLogoutInOneTabSignsOutTheOthers: every other tab hears of it through
// onChange, and its t.user() answers null.
func TestLogoutInOneTabSignsOutTheOthers(t *testing.T) {
	d := browsertest.NewDeployment(t, nil)
	p := browsertest.NewProfile(t)
	tabs := []*browsertest.Tab{p.Open(d.Origin(browsertest.AppHost) + "/")}
	u := register(t, tabs[0])
	tabs = append(tabs, p.OpenAll(3, d.Origin(browsertest.AppHost)+"/")...)
	for i, tab := range tabs[1:] {
		if got := browsertest.Eval[*user](tab, "window.ready"); got == nil || got.ID != u.ID {
			t.Fatalf("tab %d: signed in as %+v", i+1, got)
		}
	}
	browsertest.Eval[any](tabs[0], "t.logout()")
	for i, tab := range tabs[1:] {
		browsertest.WaitFor(tab, `window.changes.some((c) => c.email === null && c.reason === "signed-out")`, 10*time.Second)
		if got := currentUser(t, tab); got != nil {
			t.Fatalf("tab %d: t.user() = %+v after logout in another tab", i+1, got)
		}
		if got := changes(t, tab); got[len(got)-1].Email != nil {
			t.Fatalf("tab %d: changes %+v", i+1, got)
		}
	}
}

// TestAdminRevocationEndsTheBrowserSession: an admin revokes the
// browser's session through the admin API; the page's next call fails and
// onChange reports the loss, in every tab.
func TestAdminRevocationEndsTheBrowserSession(t *testing.T) {
	d := browsertest.NewDeployment(t, nil)
	p := browsertest.NewProfile(t)
	tab := p.Open(d.Origin(browsertest.AppHost) + "/")
	u := register(t, tab)
	other := p.Open(d.Origin(browsertest.AppHost) + "/")
	browsertest.Eval[any](other, "window.ready")

	admin := adminClient(t, d)
	sessions := admin.do(t, "GET", "/v1/admin/users/"+u.ID+"/sessions", 200)
	items, _ := sessions["sessions"].([]any)
	if len(items) != 1 {
		t.Fatalf("sessions %v", sessions)
	}
	sid, _ := items[0].(map[string]any)["id"].(string)
	admin.do(t, "DELETE", "/v1/admin/sessions/"+sid, 204)

	got := browsertest.Eval[map[string]any](tab, `t.fetch(apiURL + "/v1/notes", {method: "POST"}).then((r) => r.status).then(async (status) => ({status, user: await t.user()}))`)
	if got["user"] != nil {
		t.Fatalf("after revocation t.user() = %v", got["user"])
	}
	for i, tb := range []*browsertest.Tab{tab, other} {
		browsertest.WaitFor(tb, `window.changes.some((c) => c.email === null && c.reason === "session-lost")`, 10*time.Second)
		if got := currentUser(t, tb); got != nil {
			t.Fatalf("tab %d: t.user() = %+v", i, got)
		}
	}
}

// adminHTTP is an admin's API client, signed in with body delivery as a
// console would be.
type adminHTTP struct {
	d      *browsertest.Deployment
	client *http.Client
	bearer string
}

func adminClient(t *testing.T, d *browsertest.Deployment) *adminHTTP {
	t.Helper()
	email := fmt.Sprintf("admin%d@example.com", accounts.Add(1))
	if _, err := d.Tessera.Auth.AdminCreateUser(t.Context(), auth.Actor{Operator: "test"},
		auth.CreateUserInput{Email: email, Password: password, IsAdmin: true, EmailVerified: true}); err != nil {
		t.Fatalf("create admin: %v", err)
	}
	a := &adminHTTP{d: d, client: d.Client()}
	r := a.post(t, "/v1/auth/login", fmt.Sprintf(`{"email": %q, "password": %q}`, email, password), 200)
	a.bearer, _ = r["access_token"].(string)
	return a
}

// TestRefreshBeforeExpiry: the client refreshes refreshLeeway seconds
// before the access token expires, with no request; with three tabs
// scheduling it, every refresh request is one rotation and none is a
// reuse.
func TestRefreshBeforeExpiry(t *testing.T) {
	d := browsertest.NewDeployment(t, nil)
	p := browsertest.NewProfile(t)
	// A leeway one second short of the access lifetime: due a second
	// after each sign-in or refresh.
	leeway := int(d.Tessera.Config.AccessTTL/time.Second) - 1
	url := fmt.Sprintf("%s/?leeway=%d", d.Origin(browsertest.AppHost), leeway)
	first := p.Open(url)
	u := register(t, first)
	before := sessionOf(t, d, u.ID)
	refreshes := d.Requests("POST /v1/auth/refresh")
	tabs := append(p.OpenAll(2, url), first)
	for _, tab := range tabs {
		browsertest.Eval[any](tab, "window.ready")
	}
	deadline := time.Now().Add(15 * time.Second)
	for sessionOf(t, d, u.ID).Generation < before.Generation+2 {
		if time.Now().After(deadline) {
			t.Fatalf("no refresh before expiry: session %+v", sessionOf(t, d, u.ID))
		}
		time.Sleep(50 * time.Millisecond)
	}
	// Read the rotations first: a refresh request counted after them may
	// still be in flight, and the lock lets only one be.
	after := sessionOf(t, d, u.ID)
	sent := d.Requests("POST /v1/auth/refresh") - refreshes
	if after.Revoked || auditCount(t, d, "refresh_reuse") != 0 {
		t.Fatalf("a scheduled refresh reused a token: session %+v", after)
	}
	if rotations := int(after.Generation - before.Generation); sent < rotations || sent > rotations+1 {
		t.Fatalf("%d refresh requests for %d rotations by %d tabs", sent, rotations, len(tabs))
	}
}
