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
