package main

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestClientsCommands(t *testing.T) {
	operatorTessera(t, "sqlite://"+filepath.Join(t.TempDir(), "tessera.db"))
	out := mustOperate(t, "", "clients", "add", "mobile", "--name", "Mobile", "--idle-ttl", "2160h",
		"--max-ttl", "8760h", "--delivery", "body,token", "--origins", "https://m.example", "--audiences", "api://m")
	for _, want := range []string{"mobile", "body,token", "90d", "365d", "default", "https://m.example", "api://m"} {
		if !strings.Contains(out, want) {
			t.Fatalf("add output lacks %q:\n%s", want, out)
		}
	}
	_, err := operate(t, "", "clients", "add", "Bad ID", "--name", "X", "--delivery", "pigeon", "--access-token-ttl", "48h")
	for _, want := range []string{"client_id:", "allowed_delivery:", "access_ttl_seconds:"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("invalid client: %v; want %q", err, want)
		}
	}
	if _, err := operate(t, "", "clients", "add", "mobile", "--name", "Again"); err == nil || !strings.Contains(err.Error(), "is taken") {
		t.Fatalf("taken client id: %v", err)
	}

	got := decode(t, []byte(mustOperate(t, "", "clients", "update", "mobile", "--name", "Phones", "--origins", "", "--json"))).(map[string]any)
	if got["name"] != "Phones" || len(got["cors_origins"].([]any)) != 0 || got["idle_ttl_seconds"] != float64(2160*3600) {
		t.Fatalf("update changes only the flags given: %v", got)
	}
	list := decode(t, []byte(mustOperate(t, "", "clients", "list", "--limit", "1", "--json"))).(map[string]any)
	if len(list["clients"].([]any)) != 1 || list["next_cursor"] == nil {
		t.Fatalf("one page of one: %v", list)
	}
	if _, err := operate(t, "", "clients", "remove", "default"); err == nil || !strings.Contains(err.Error(), "cannot be deleted") {
		t.Fatalf("remove default: %v", err)
	}
	if out := mustOperate(t, "", "clients", "remove", "mobile"); !strings.Contains(out, "client mobile removed") {
		t.Fatalf("remove: %s", out)
	}
	if _, err := operate(t, "", "clients", "update", "mobile", "--name", "X"); err == nil || !strings.Contains(err.Error(), "no such client") {
		t.Fatalf("update of a removed client: %v", err)
	}
}

// TestClientsOAuthCommands: a confidential client's secret is printed once
// on add and on rotate-secret, and never by list; the OAuth flags reach
// the client and a bad redirect URI is refused with its field.
func TestClientsOAuthCommands(t *testing.T) {
	operatorTessera(t, "sqlite://"+filepath.Join(t.TempDir(), "tessera.db"))
	out := mustOperate(t, "", "clients", "add", "grafana", "--name", "Grafana", "--confidential", "--first-party",
		"--redirect-uris", "https://grafana.example/login/generic_oauth,http://127.0.0.1:3000/cb",
		"--post-logout-redirect-uris", "https://grafana.example/", "--grant-types", "authorization_code,client_credentials",
		"--scopes", "openid,email", "--logout-ends-sessions")
	first := secretIn(t, out)
	for _, want := range []string{"confidential,first-party", "https://grafana.example/login/generic_oauth"} {
		if !strings.Contains(out, want) {
			t.Fatalf("add output lacks %q:\n%s", want, out)
		}
	}
	got := decode(t, []byte(mustOperate(t, "", "clients", "list", "--json"))).(map[string]any)
	for _, c := range got["clients"].([]any) {
		c := c.(map[string]any)
		if c["client_id"] == "grafana" && (c["client_secret"] != nil || c["logout_ends_sessions"] != true ||
			len(c["post_logout_redirect_uris"].([]any)) != 1 || len(c["scopes"].([]any)) != 2) {
			t.Fatalf("listed client: %v", c)
		}
	}
	if list := mustOperate(t, "", "clients", "list"); strings.Contains(list, first) {
		t.Fatalf("list shows the secret:\n%s", list)
	}
	rotated := decode(t, []byte(mustOperate(t, "", "clients", "rotate-secret", "grafana", "--json"))).(map[string]any)
	if s, _ := rotated["client_secret"].(string); !strings.HasPrefix(s, "tcs_") || s == first {
		t.Fatalf("rotate-secret --json: %v", rotated)
	}
	second := secretIn(t, mustOperate(t, "", "clients", "rotate-secret", "grafana"))
	if second == first {
		t.Fatal("rotate-secret printed the old secret")
	}
	if _, err := operate(t, "", "clients", "rotate-secret", "default"); err == nil || !strings.Contains(err.Error(), "public client") {
		t.Fatalf("rotate-secret of a public client: %v", err)
	}
	out = mustOperate(t, "", "clients", "add", "spa", "--name", "SPA", "--redirect-uris", "com.example.app:/cb")
	if strings.Contains(out, "client secret") || !strings.Contains(out, "public") {
		t.Fatalf("public client add:\n%s", out)
	}
	if _, err := operate(t, "", "clients", "add", "bad", "--name", "Bad", "--redirect-uris", "http://app.example/cb"); err == nil ||
		!strings.Contains(err.Error(), "redirect_uris:") {
		t.Fatalf("plain http redirect URI: %v", err)
	}
	if _, err := operate(t, "", "clients", "update", "spa", "--grant-types", "client_credentials"); err == nil ||
		!strings.Contains(err.Error(), "grant_types:") {
		t.Fatalf("client_credentials on a public client: %v", err)
	}
}

// secretIn returns the client secret an add or rotate-secret printed.
func secretIn(t *testing.T, out string) string {
	t.Helper()
	_, after, ok := strings.Cut(out, "client secret (shown once, keep it now): ")
	secret := strings.TrimSpace(after)
	if !ok || !strings.HasPrefix(secret, "tcs_") || len(secret) != 47 {
		t.Fatalf("no client secret in:\n%s", out)
	}
	return secret
}
