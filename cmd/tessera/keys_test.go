package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tessera-id/tessera/internal/keys"
)

func runCLI(t *testing.T, args ...string) string {
	t.Helper()
	var out bytes.Buffer
	root := newRoot()
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(args)
	if err := root.Execute(); err != nil {
		t.Fatalf("tessera %s: %v\n%s", strings.Join(args, " "), err, out.String())
	}
	return out.String()
}

func TestKeysCommands(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "keys")
	t.Setenv("TESSERA_KEYS_DIR", dir)

	if _, err := operate(t, "", "keys", "list"); !errors.Is(err, keys.ErrNoKeys) {
		t.Fatalf("keys list without keys: %v, want ErrNoKeys", err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("keys list created the keys dir: %v", err)
	}
	if out := runCLI(t, "keys", "rotate"); !strings.Contains(out, "active") || strings.Contains(out, "next") {
		t.Fatalf("rotate in an empty dir makes the first key, which signs at once:\n%s", out)
	}
	var list []keys.KeyInfo
	if err := json.Unmarshal([]byte(runCLI(t, "keys", "list", "--json")), &list); err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].State != keys.StateActive || list[0].Algorithm != "ES256" {
		t.Fatalf("fresh dir: %+v", list)
	}
	out := runCLI(t, "keys", "rotate", "--alg", "EdDSA")
	if !strings.Contains(out, "next") || !strings.Contains(out, "EdDSA") || !strings.Contains(out, "PUBLISHED UNTIL") {
		t.Fatalf("rotate output:\n%s", out)
	}
	if err := json.Unmarshal([]byte(runCLI(t, "keys", "list", "--json")), &list); err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].State != keys.StateActive || list[1].State != keys.StateNext || list[0].PublishedUntil.IsZero() {
		t.Fatalf("after rotate: %+v", list)
	}
	if out := runCLI(t, "keys", "prune"); !strings.Contains(out, "no retired keys") {
		t.Fatalf("prune of fresh keys: %s", out)
	}
	var bad bytes.Buffer
	root := newRoot()
	root.SetOut(&bad)
	root.SetArgs([]string{"keys", "rotate", "--alg", "HS256"})
	if err := root.Execute(); err == nil || !strings.Contains(err.Error(), "ES256") {
		t.Fatalf("rotate with HS256 must fail naming the allowed algorithms, got %v", err)
	}
}
