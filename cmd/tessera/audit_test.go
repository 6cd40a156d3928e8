package main

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tessera-id/tessera/internal/store"
)

func TestAuditCommands(t *testing.T) {
	ts := operatorTessera(t, "sqlite://"+filepath.Join(t.TempDir(), "tessera.db"))
	t.Setenv("TESSERA_AUDIT_RETENTION", "720h")
	for _, age := range []time.Duration{0, 29 * 24 * time.Hour, 31 * 24 * time.Hour, 400 * 24 * time.Hour} {
		if err := ts.DB.AddAuditEvent(t.Context(), &store.AuditEvent{Event: "login_failed", IP: "192.0.2.9",
			Details: map[string]string{"age": age.String()}, CreatedAt: time.Now().Add(-age)}); err != nil {
			t.Fatal(err)
		}
	}
	out := mustOperate(t, "", "audit", "tail", "--event", "login_failed")
	if strings.Count(out, "login_failed") != 4 || !strings.Contains(out, "192.0.2.9") || !strings.Contains(out, "age=0s") {
		t.Fatalf("tail:\n%s", out)
	}
	if _, err := operate(t, "", "audit", "tail", "--since", "last week"); err == nil || !strings.Contains(err.Error(), "RFC 3339") {
		t.Fatalf("bad --since: %v", err)
	}
	if out := mustOperate(t, "", "audit", "prune"); !strings.Contains(out, "deleted 2 audit events older than 720h0m0s") {
		t.Fatalf("prune: %s", out)
	}
	pruned := decode(t, []byte(mustOperate(t, "", "audit", "tail", "--event", "audit_pruned", "--json"))).(map[string]any)
	ev := pruned["events"].([]any)
	if len(ev) != 1 || ev[0].(map[string]any)["details"].(map[string]any)["deleted"] != "2" {
		t.Fatalf("audit_pruned events: %v", pruned)
	}
	if out := mustOperate(t, "", "audit", "tail", "--event", "login_failed", "--json"); strings.Count(out, `"login_failed"`) != 2 {
		t.Fatalf("after prune:\n%s", out)
	}
}

// TestAuditPrunerLoop: serve's loop prunes at once and stops with its
// context.
func TestAuditPrunerLoop(t *testing.T) {
	ts := operatorTessera(t, "sqlite://"+filepath.Join(t.TempDir(), "tessera.db"))
	old := ts.Clock.Now().Add(-ts.Config.AuditRetention - time.Hour)
	if err := ts.DB.AddAuditEvent(t.Context(), &store.AuditEvent{Event: "login", CreatedAt: old}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		runAuditPruner(ctx, ts.Server, slog.New(slog.NewTextHandler(io.Discard, nil)))
		close(done)
	}()
	for i := 0; ; i++ {
		list, err := ts.DB.QueryAuditEvents(t.Context(), store.AuditQuery{Event: "login", Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) == 0 {
			break
		}
		if i == 200 {
			t.Fatal("the old event was not pruned")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the pruner did not stop with its context")
	}
}
