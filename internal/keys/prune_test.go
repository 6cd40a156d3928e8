package keys

import (
	"os"
	"testing"
	"time"
)

func TestPruneRemovesOnlyRetiredKeys(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	opts := Options{PublishDelay: 5 * time.Minute, CacheMaxAge: 5 * time.Minute, RetireAfter: 20 * time.Minute, Now: clock}
	r, err := Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	first := r.Keys()[0]
	now = now.Add(time.Hour)
	if _, err := Generate(dir, "ES256", now); err != nil {
		t.Fatal(err)
	}
	if err := r.Reload(); err != nil {
		t.Fatal(err)
	}
	if removed, err := r.Prune(); err != nil || len(removed) != 0 {
		t.Fatalf("nothing is retired yet: removed %v, %v", removed, err)
	}
	now = now.Add(5*time.Minute + 20*time.Minute) // successor signs, then the retire window passes
	if got := r.Keys()[0].State; got != StateRetired {
		t.Fatalf("first key state %s, want retired", got)
	}
	removed, err := r.Prune()
	if err != nil || len(removed) != 1 || removed[0].ID != first.ID {
		t.Fatalf("prune removed %v, %v; want the first key", removed, err)
	}
	if _, err := os.Stat(first.File); !os.IsNotExist(err) {
		t.Fatalf("retired key file still there: %v", err)
	}
	if keys := r.Keys(); len(keys) != 1 || keys[0].State != StateActive {
		t.Fatalf("after prune: %+v", keys)
	}
	if _, err := r.SigningKey(); err != nil {
		t.Fatal(err)
	}
}
