package keys_test

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tessera-id/tessera/internal/keys"
)

// TestSpecialFilesRefused: a FIFO named like a key, or in the refresh
// secret's place, and an oversized key file are errors naming the file,
// returned at once: reading a FIFO would block Open (or every later
// Reload, which holds the reload lock) for as long as nobody writes to it.
func TestSpecialFilesRefused(t *testing.T) {
	for _, tt := range []struct {
		name, file, want string
		make             func(path string) error
	}{
		{"fifo key", "20300101T000000Z-es256.pem", "not a regular file", func(p string) error { return syscall.Mkfifo(p, 0o600) }},
		{"fifo secret", keys.SecretFile, "not a regular file", func(p string) error {
			if err := os.Remove(p); err != nil {
				return err
			}
			return syscall.Mkfifo(p, 0o600)
		}},
		{"huge key", "20300101T000000Z-es256.pem", "more than a key file holds", func(p string) error {
			return os.WriteFile(p, make([]byte, 1<<20), 0o600)
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if _, err := keys.Generate(dir, "ES256", t0); err != nil {
				t.Fatal(err)
			}
			if _, err := keys.Open(dir, keys.Options{}); err != nil {
				t.Fatal(err)
			}
			if err := tt.make(filepath.Join(dir, tt.file)); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { _, err := keys.Open(dir, keys.Options{MustExist: true}); done <- err }()
			select {
			case err := <-done:
				if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), tt.file) {
					t.Fatalf("Open = %v, want an error naming %s: %s", err, tt.file, tt.want)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("Open blocked on the file")
			}
		})
	}
}
