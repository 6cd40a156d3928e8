package web

import (
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
)

// TestSameOrigin: a form post passes only without cross-site markers: a
// Sec-Fetch-Site other than same-origin or none, or an Origin other than
// the issuer's, is refused; "null" passes only as a same-origin fetch.
func TestSameOrigin(t *testing.T) {
	const issuer = "https://auth.example.test/tenant"
	for _, tt := range []struct {
		name, origin, site string
		want               bool
	}{
		{"no headers (not a browser)", "", "", true},
		{"same origin", "https://auth.example.test", "same-origin", true},
		{"typed by the person", "", "none", true},
		{"another site", "https://evil.example", "cross-site", false},
		{"a sibling subdomain", "https://app.example.test", "same-site", false},
		{"origin of another port", "https://auth.example.test:8443", "", false},
		{"plain http", "http://auth.example.test", "", false},
		{"opaque origin, no fetch metadata", "null", "", false},
		{"opaque origin of our own no-referrer page", "null", "same-origin", true},
		{"opaque origin of another site", "null", "cross-site", false},
		{"right origin, cross-site fetch", "https://auth.example.test", "cross-site", false},
		{"origin with a path", "https://auth.example.test/tenant", "", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := gin.CreateTestContext(httptest.NewRecorder())
			c.Request = httptest.NewRequest("POST", "/account/x", nil)
			if tt.origin != "" {
				c.Request.Header.Set("Origin", tt.origin)
			}
			if tt.site != "" {
				c.Request.Header.Set("Sec-Fetch-Site", tt.site)
			}
			if got := sameOrigin(c, issuer); got != tt.want {
				t.Errorf("sameOrigin = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestConfirmed: a destructive action runs only from its confirmation
// page, and with the typed text when one is asked for.
func TestConfirmed(t *testing.T) {
	for _, tt := range []struct {
		name, typed string
		form        url.Values
		want        bool
	}{
		{"first post", "", url.Values{}, false},
		{"confirmed", "", url.Values{"confirm": {"yes"}}, true},
		{"other value", "", url.Values{"confirm": {"1"}}, false},
		{"typed right", "ada@example.com", url.Values{"confirm": {"yes"}, "typed": {"ada@example.com"}}, true},
		{"typed wrong", "ada@example.com", url.Values{"confirm": {"yes"}, "typed": {"ada@example.org"}}, false},
		{"typed missing", "ada@example.com", url.Values{"confirm": {"yes"}}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := gin.CreateTestContext(httptest.NewRecorder())
			c.Request = httptest.NewRequest("POST", "/admin/x", strings.NewReader(tt.form.Encode()))
			c.Request.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if got := confirmed(c, tt.typed); got != tt.want {
				t.Errorf("confirmed = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestConfirmPage: the confirmation page names what will end, posts its
// fields back with confirm=yes and the form token, has a red button and
// Cancel, and sits in the app shell with a Sign out button and the nav.
func TestConfirmPage(t *testing.T) {
	p, _ := newTestPages(t, nil)
	w := httptest.NewRecorder()
	c, _ := gin.CreateTestContext(w)
	c.Request = httptest.NewRequest("POST", "/account/devices/revoke", nil)
	p.confirm(c, ConfirmView{
		Page: Page{Brand: p.brand, Style: p.cssPath, CSRF: "tok<en>", Shell: &Shell{Who: "ada",
			Nav: []NavLink{{Href: "/admin", Text: "Overview"}, {Href: "/admin/users", Text: "Users", Current: true}}}},
		Title: "Revoke a device", Heading: "Revoke this device?", Body: "Firefox on Linux will be signed out at once.",
		Action: "/account/devices/revoke", Fields: []HiddenField{{"id", "6f1d4c1e"}}, Button: "Revoke this device",
		Cancel: "/account", Typed: "ada", TypedLabel: "Type ada",
	})
	body := w.Body.String()
	for _, want := range []string{
		"<title>Revoke a device · Tessera</title>", "Firefox on Linux will be signed out at once.",
		`action="/account/devices/revoke"`, `name="id" value="6f1d4c1e"`, `name="confirm" value="yes"`,
		`name="csrf_token" value="tok&lt;en&gt;"`, `class="danger"`, `href="/account"`, ">Cancel<",
		`<label for="typed">Type ada</label>`, `action="/signout"`, `class="who-name">ada<`,
		`<nav class="sidenav" aria-label="Sections">`, `<a href="/admin">Overview</a>`, `<a href="/admin/users" aria-current="page">Users</a>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("confirmation page lacks %s:\n%s", want, body)
		}
	}
	if strings.Contains(body, `class="card"`) {
		t.Error("a signed-in page is drawn in the sign-in card")
	}
}
