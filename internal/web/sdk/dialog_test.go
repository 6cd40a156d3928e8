package sdk_test

import (
	"slices"
	"testing"
	"time"

	"github.com/tessera-id/tessera/internal/browsertest"
)

// TestNoPasswordDialogWhenTheSessionEnds: with the default
// authenticators (basic included), the 401 a page gets after logout or
// after its session expired opens no browser dialog: Tessera sends no
// Basic challenge to a script's request.
func TestNoPasswordDialogWhenTheSessionEnds(t *testing.T) {
	tests := []struct {
		name string
		end  func(d *browsertest.Deployment, tab *browsertest.Tab)
	}{
		{"after logout", func(_ *browsertest.Deployment, tab *browsertest.Tab) {
			browsertest.Eval[any](tab, "t.logout()")
		}},
		{"after the session expired", func(d *browsertest.Deployment, _ *browsertest.Tab) {
			d.Tessera.Clock.Advance(d.Tessera.Config.SessionIdleTTL + time.Minute)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := browsertest.NewDeployment(t, nil)
			if !slices.Contains(d.Tessera.Config.Authentication, "basic") {
				t.Fatalf("basic is not enabled: %v", d.Tessera.Config.Authentication)
			}
			tab := browsertest.NewProfile(t).NewTab()
			prompts := tab.WatchPrompts() // before the page asks t.user()
			tab.Navigate(d.Origin(browsertest.AppHost) + "/")
			browsertest.Eval[any](tab, "window.ready") // signed out: a 401 already
			register(t, tab)
			tt.end(d, tab)

			status := browsertest.Eval[int](tab, `fetch(`+js(d.Issuer()+"/v1/auth/me")+`, {credentials: "include"}).then((r) => r.status, (e) => "failed: " + e)`)
			if status != 401 {
				t.Fatalf("GET /v1/auth/me from the page: %v, want 401", status)
			}
			if u := currentUser(t, tab); u != nil {
				t.Fatalf("t.user() = %+v, want null", u)
			}
			if got := prompts.Auth(); len(got) != 0 {
				t.Fatalf("the browser was asked for a password by %v", got)
			}
			if got := prompts.Dialogs(); len(got) != 0 {
				t.Fatalf("dialogs opened: %v", got)
			}
			if alive := browsertest.Eval[int](tab, "1 + 1"); alive != 2 {
				t.Fatal("the page is gone")
			}
		})
	}
}
