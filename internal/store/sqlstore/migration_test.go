package sqlstore_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/store/sqlstore"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
)

// TestSessionClientSettingsMigration: migration 00013 gives every session
// already there its client's idle lifetime and type, which the refresh
// statement reads from the session row from then on.
func TestSessionClientSettingsMigration(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		testSessionClientSettingsMigration(t, "sqlite://"+filepath.Join(t.TempDir(), "t.db"))
	})
	t.Run("postgres", func(t *testing.T) {
		testSessionClientSettingsMigration(t, sqltest.URLForPostgres(t))
	})
}

func testSessionClientSettingsMigration(t *testing.T, url string) {
	ctx := t.Context()
	db, err := sqlstore.Open(ctx, url, sqlstore.Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer db.Close()
	if err := db.MigrateTo(ctx, 12); err != nil {
		t.Fatalf("migrate to 12: %v", err)
	}
	w := db.Writer()
	now := time.Now().UTC().Format("2006-01-02T15:04:05.000000Z")
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := w.ExecContext(ctx, w.Rebind(q), args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	for _, c := range []struct {
		id, typ string
		idle    int
	}{{"conf", "confidential", 0}, {"idle", "public", 10800}, {"both", "confidential", 600}} {
		exec(`INSERT INTO clients (client_id, name, idle_ttl_seconds, client_type, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
			c.id, c.id, c.idle, c.typ, now, now)
	}
	user := uuid.New()
	exec(`INSERT INTO users (id, email, email_normalized, password_hash, created_at, updated_at, password_changed_at)
		VALUES (?, 'ada@example.com', 'ada@example.com', '', ?, ?, ?)`, user, now, now, now)
	sessions := map[string]uuid.UUID{}
	for _, client := range []string{"default", "conf", "idle", "both", "revoked"} {
		id, cid, revoked := uuid.New(), client, any(nil)
		if client == "revoked" {
			cid, revoked = "both", now
		}
		sessions[client] = id
		exec(`INSERT INTO sessions (id, user_id, client_id, kind, created_at, last_used_at, idle_expires_at, expires_at,
			revoked_at, generation, nonce, rotated_at) VALUES (?, ?, ?, 'jwt', ?, ?, ?, ?, ?, 0, ?, ?)`,
			id, user, cid, now, now, now, now, revoked, []byte{1, 2, 3}, now)
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate up: %v", err)
	}
	want := map[string]struct {
		idle int
		conf bool
	}{"default": {0, false}, "conf": {0, true}, "idle": {10800, false}, "both": {600, true}, "revoked": {0, false}}
	for name, id := range sessions {
		var (
			idle int
			conf bool
		)
		q := w.Rebind(`SELECT client_idle_ttl_seconds, client_confidential FROM sessions WHERE id = ?`)
		if err := w.QueryRowContext(ctx, q, id).Scan(&idle, &conf); err != nil {
			t.Fatalf("read session %s: %v", name, err)
		}
		if idle != want[name].idle || conf != want[name].conf {
			t.Errorf("session on %s: idle %d, confidential %v; want %d, %v", name, idle, conf, want[name].idle, want[name].conf)
		}
	}
}
