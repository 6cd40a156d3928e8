package keys_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tessera-id/tessera/internal/keys"
)

// TestOpenMustExistWritesNothing: with MustExist, a missing dir, key or
// secret is ErrNoKeys and nothing is created; a complete dir opens.
func TestOpenMustExistWritesNothing(t *testing.T) {
	secret := func(t *testing.T, dir string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, keys.SecretFile), []byte("MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	key := func(t *testing.T, dir string) {
		t.Helper()
		if _, err := keys.Generate(dir, "ES256", time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string) // nil: no dir at all
		hint  string                         // what the message tells the operator to do
	}{
		{"no dir", nil, "`tessera keys rotate` without serving"},
		{"empty dir", func(t *testing.T, dir string) {}, "`tessera keys rotate` without serving"},
		{"secret only", secret, "`tessera keys rotate` without serving"},
		{"key only", key, "copy it from the keys dir of the other replicas"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "keys")
			var before []string
			if tt.setup != nil {
				if err := os.Mkdir(dir, 0o700); err != nil {
					t.Fatal(err)
				}
				tt.setup(t, dir)
				before = list(t, dir)
			}
			_, err := keys.Open(dir, keys.Options{MustExist: true})
			if !errors.Is(err, keys.ErrNoKeys) {
				t.Fatalf("Open: %v, want ErrNoKeys", err)
			}
			if !strings.Contains(err.Error(), tt.hint) {
				t.Errorf("Open: %q does not say %q", err, tt.hint)
			}
			if tt.setup == nil {
				if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
					t.Fatalf("the dir was created: %v", err)
				}
			} else if after := list(t, dir); !slices.Equal(before, after) {
				t.Fatalf("files before %v, after %v", before, after)
			}
		})
	}
	dir := t.TempDir()
	key(t, dir)
	secret(t, dir)
	if _, err := keys.Open(dir, keys.Options{MustExist: true}); err != nil {
		t.Fatalf("a complete dir: %v", err)
	}
}

func list(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}
