package httpapi_test

import (
	"bytes"
	"crypto/sha256"
	"strings"
	"testing"
	"time"

	"github.com/tessera-id/tessera/internal/server/servertest"
	"github.com/tessera-id/tessera/internal/store/sqlstore"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
)

// TestAdminClientRedirectURIs: every redirect URI form RFC 6749, RFC 8252
// and RFC 9700 refuse is sent and gets its own field error, under the list
// it was sent in; the allowed forms are stored exactly as sent.
func TestAdminClientRedirectURIs(t *testing.T) {
	ts := servertest.Start(t, sqltest.NewSQLite(t), nil)
	admin := newAdmin(t, ts, "root@example.com")
	c := ts.NewClient(t)
	bad := []struct{ name, uri string }{
		{"relative", "/cb"},
		{"no scheme", "app.example/cb"},
		{"fragment", "https://app.example/cb#x"},
		{"empty fragment", "https://app.example/cb#"},
		{"plain http", "http://app.example/cb"},
		{"http on a lookalike of localhost", "http://localhost.evil.example/cb"},
		{"http on another loopback address", "http://127.0.0.2/cb"},
		{"credentials", "https://user:pw@app.example/cb"},
		{"credentials before a loopback host", "http://127.0.0.1@evil.example/cb"},
		{"https without a host", "https:///cb"},
		{"javascript", "javascript:alert(1)"},
		{"data", "data:text/html,<script>alert(1)</script>"},
		{"scheme without a dot", "myapp:/cb"},
		{"private-use scheme without a path", "com.example.app:cb"},
		{"space", "https://app.example/c b"},
		{"leading space", " https://app.example/cb"},
		{"control character", "https://app.example/cb\x00"},
		{"non-ASCII", "https://app.example/caf\u00e9"},
		{"too long", "https://app.example/" + strings.Repeat("a", 2000)},
		{"empty", ""},
	}
	for _, field := range []string{"redirect_uris", "post_logout_redirect_uris"} {
		for _, tc := range bad {
			t.Run(field+"/"+tc.name, func(t *testing.T) {
				r := c.Do("POST", "/v1/admin/clients", map[string]any{"client_id": "app", "name": "App",
					field: []string{"https://app.example/ok", tc.uri}}, admin).WantError(t, 400, "invalid_request")
				fields := r.JSON()["fields"].(map[string]any)
				msgs, _ := fields[field].([]any)
				if len(fields) != 1 || len(msgs) != 1 {
					t.Fatalf("want one error under %s: %s", field, r.Body)
				}
			})
		}
	}
	t.Run("more than 20", func(t *testing.T) {
		var many []string
		for i := range 21 {
			many = append(many, "https://app.example/cb"+strings.Repeat("x", i))
		}
		r := c.Do("POST", "/v1/admin/clients", map[string]any{"client_id": "app", "name": "App", "redirect_uris": many}, admin).
			WantError(t, 400, "invalid_request")
		if r.JSON()["fields"].(map[string]any)["redirect_uris"] == nil {
			t.Fatalf("21 redirect URIs: %s", r.Body)
		}
	})
	t.Run("allowed forms, stored exactly", func(t *testing.T) {
		good := []string{"https://app.example/cb", "https://app.example/cb/", "https://App.Example:8443/cb?x=1&y",
			"http://127.0.0.1/cb", "http://127.0.0.1:51004/cb", "http://[::1]:8080/cb", "http://localhost:3000/cb",
			"com.example.app:/oauth2redirect/example-provider", "com.example.app://cb"}
		r := c.Do("POST", "/v1/admin/clients", map[string]any{"client_id": "app", "name": "App", "redirect_uris": good,
			"post_logout_redirect_uris": good[:2]}, admin).Want(t, 201)
		got := r.JSON()["redirect_uris"].([]any)
		if len(got) != len(good) {
			t.Fatalf("redirect_uris = %v", got)
		}
		for i, u := range good {
			if got[i] != u {
				t.Errorf("redirect URI %d = %q, want %q exactly", i, got[i], u)
			}
		}
		p := c.Do("PATCH", "/v1/admin/clients/app", map[string]any{"redirect_uris": []string{}}, admin).Want(t, 200)
		if len(p.JSON()["redirect_uris"].([]any)) != 0 || len(p.JSON()["post_logout_redirect_uris"].([]any)) != 2 {
			t.Fatalf("cleared redirect_uris: %s", p.Body)
		}
	})
}

// TestAdminClientOAuthFields: the defaults of a new client, the rules on
// type, grant types and scopes, each reported under its field.
func TestAdminClientOAuthFields(t *testing.T) {
	ts := servertest.Start(t, sqltest.NewSQLite(t), nil)
	admin := newAdmin(t, ts, "root@example.com")
	c := ts.NewClient(t)
	r := c.Do("POST", "/v1/admin/clients", map[string]any{"client_id": "spa", "name": "SPA"}, admin).Want(t, 201)
	j := r.JSON()
	if j["type"] != "public" || j["first_party"] != false || j["logout_ends_sessions"] != false ||
		j["secret_created_at"] != nil || j["client_secret"] != nil ||
		join(j["grant_types"]) != "authorization_code refresh_token" || join(j["scopes"]) != "openid profile email offline_access" {
		t.Fatalf("new public client: %s", r.Body)
	}
	def := c.Do("GET", "/v1/admin/clients/default", nil, admin).Want(t, 200).JSON()
	if def["type"] != "public" || def["first_party"] != true || len(def["redirect_uris"].([]any)) != 0 {
		t.Fatalf("default client: %v", def)
	}

	tests := []struct {
		name   string
		method string
		path   string
		body   map[string]any
		field  string
	}{
		{"unknown type", "POST", "/v1/admin/clients", map[string]any{"type": "secret"}, "type"},
		{"client_credentials on a public client", "POST", "/v1/admin/clients", map[string]any{"grant_types": []string{"client_credentials"}}, "grant_types"},
		{"unknown grant type", "POST", "/v1/admin/clients", map[string]any{"grant_types": []string{"password"}}, "grant_types"},
		{"implicit grant", "POST", "/v1/admin/clients", map[string]any{"grant_types": []string{"implicit"}}, "grant_types"},
		{"no grant type", "POST", "/v1/admin/clients", map[string]any{"grant_types": []string{}}, "grant_types"},
		{"unknown scope", "POST", "/v1/admin/clients", map[string]any{"scopes": []string{"openid", "admin"}}, "scopes"},
		{"no scope", "POST", "/v1/admin/clients", map[string]any{"scopes": []string{}}, "scopes"},
		{"type change", "PATCH", "/v1/admin/clients/spa", map[string]any{"type": "confidential"}, "type"},
		{"client_credentials added to a public client", "PATCH", "/v1/admin/clients/spa", map[string]any{"grant_types": []string{"client_credentials"}}, "grant_types"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.method == "POST" {
				tc.body["client_id"], tc.body["name"] = "x", "X"
			}
			r := c.Do(tc.method, tc.path, tc.body, admin).WantError(t, 400, "invalid_request")
			fields := r.JSON()["fields"].(map[string]any)
			if len(fields) != 1 || fields[tc.field] == nil {
				t.Fatalf("want an error under %s only: %s", tc.field, r.Body)
			}
		})
	}
	p := c.Do("PATCH", "/v1/admin/clients/spa", map[string]any{"type": "public", "first_party": true,
		"logout_ends_sessions": true, "scopes": []string{"openid", "openid"}}, admin).Want(t, 200).JSON()
	if p["first_party"] != true || p["logout_ends_sessions"] != true || join(p["scopes"]) != "openid" {
		t.Fatalf("patched: %v", p)
	}
}

// TestAdminClientSecret: a confidential client's secret is shown once (in
// the 201), never by GET or a listing, stored only as its SHA-256, and
// rotation replaces that hash so the old secret stops working; a public
// client has no secret to rotate.
func TestAdminClientSecret(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ts := servertest.Start(t, db, nil)
		admin := newAdmin(t, ts, "root@example.com")
		c := ts.NewClient(t)
		r := c.Do("POST", "/v1/admin/clients", map[string]any{"client_id": "backend", "name": "Backend",
			"type": "confidential", "grant_types": []string{"client_credentials"}}, admin).Want(t, 201)
		first := r.Str("client_secret")
		if !strings.HasPrefix(first, "tcs_") || len(first) != 4+43 || r.JSON()["secret_created_at"] == nil {
			t.Fatalf("created confidential client: %s", r.Body)
		}
		wantHash(t, db, "backend", first)
		for _, path := range []string{"/v1/admin/clients/backend", "/v1/admin/clients"} {
			body := string(c.Do("GET", path, nil, admin).Want(t, 200).Body)
			if strings.Contains(body, "client_secret") || strings.Contains(body, first) || strings.Contains(body, "secret_hash") {
				t.Errorf("GET %s shows the secret: %s", path, body)
			}
		}
		if _, err := ts.Auth.VerifyClientSecret(t.Context(), "backend", first); err != nil {
			t.Fatalf("first secret: %v", err)
		}

		ts.Clock.Advance(time.Minute)
		rot := c.Do("POST", "/v1/admin/clients/backend/secret", nil, admin).Want(t, 200)
		second := rot.Str("client_secret")
		if !strings.HasPrefix(second, "tcs_") || second == first || rot.JSON()["secret_created_at"] == r.JSON()["secret_created_at"] {
			t.Fatalf("rotated: %s", rot.Body)
		}
		wantHash(t, db, "backend", second)
		if _, err := ts.Auth.VerifyClientSecret(t.Context(), "backend", first); err == nil {
			t.Fatal("the old secret still works after rotation")
		}
		if _, err := ts.Auth.VerifyClientSecret(t.Context(), "backend", second); err != nil {
			t.Fatalf("new secret: %v", err)
		}
		if body := string(c.Do("GET", "/v1/admin/clients/backend", nil, admin).Want(t, 200).Body); strings.Contains(body, second) {
			t.Errorf("GET shows the rotated secret: %s", body)
		}
		ev, _ := items(t, c.Do("GET", "/v1/admin/audit?event=admin_client_secret_rotated", nil, admin).Want(t, 200), "events")
		if len(ev) != 1 || ev[0]["details"].(map[string]any)["client_id"] != "backend" || strings.Contains(string(rot.Body), "secret_hash") {
			t.Fatalf("admin_client_secret_rotated events: %v", ev)
		}
		c.Do("POST", "/v1/admin/clients/default/secret", nil, admin).WantError(t, 400, "invalid_request")
		c.Do("POST", "/v1/admin/clients/nope/secret", nil, admin).WantError(t, 404, "not_found")
	})
}

// wantHash fails unless the stored secret of client id is exactly the
// SHA-256 of secret.
func wantHash(t *testing.T, db *sqlstore.DB, id, secret string) {
	t.Helper()
	cl, err := db.GetClient(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.Sum256([]byte(secret))
	if !bytes.Equal(cl.SecretHash, h[:]) {
		t.Fatalf("stored secret hash %x, want SHA-256 of the secret shown", cl.SecretHash)
	}
}

func join(v any) string {
	var parts []string
	for _, p := range v.([]any) {
		parts = append(parts, p.(string))
	}
	return strings.Join(parts, " ")
}
