package storetest

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/store"
)

func testConsoleSearchUsers(t *testing.T, s store.Store) {
	ctx := t.Context()
	yes, no := true, false
	ada := mustCreateUserAt(t, s, t0, "ada@example.com")
	name, norm := "Lovelace", "lovelace"
	ada.Username, ada.UsernameNormalized = &name, &norm
	ada.IsAdmin = true
	if err := s.UpdateUser(ctx, ada); err != nil {
		t.Fatalf("UpdateUser: %v", err)
	}
	bob := mustCreateUserAt(t, s, t0.Add(time.Second), "bob@example.com")
	if _, err := s.UpdateUserFlags(ctx, bob.ID, store.UserFlags{IsActive: &no, UpdatedAt: t0}); err != nil {
		t.Fatalf("UpdateUserFlags: %v", err)
	}
	at := t0
	lou := mustCreateUserAt(t, s, t0.Add(time.Minute), "lou@example.com")
	if _, err := s.UpdateUserFlags(ctx, lou.ID, store.UserFlags{SetEmailVerified: true, EmailVerifiedAt: &at, UpdatedAt: t0}); err != nil {
		t.Fatalf("UpdateUserFlags: %v", err)
	}
	for _, tc := range []struct {
		name string
		q    store.UserQuery
		want []uuid.UUID
	}{
		{"e-mail prefix", store.UserQuery{Search: "bo"}, []uuid.UUID{bob.ID}},
		{"username prefix", store.UserQuery{Search: "love"}, []uuid.UUID{ada.ID}},
		{"either", store.UserQuery{Search: "lo"}, []uuid.UUID{lou.ID, ada.ID}},
		{"wildcards are literal", store.UserQuery{Search: "%"}, nil},
		{"active", store.UserQuery{Active: &yes}, []uuid.UUID{lou.ID, ada.ID}},
		{"inactive", store.UserQuery{Active: &no}, []uuid.UUID{bob.ID}},
		{"admin", store.UserQuery{Admin: &yes}, []uuid.UUID{ada.ID}},
		{"verified", store.UserQuery{Verified: &yes}, []uuid.UUID{lou.ID}},
		{"unverified admins", store.UserQuery{Verified: &no, Admin: &yes}, []uuid.UUID{ada.ID}},
		{"search and filter", store.UserQuery{Search: "lo", Verified: &no}, []uuid.UUID{ada.ID}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.q.Limit = 1
			wantEqual(t, "users", walkUsers(t, s, tc.q, nil), tc.want)
		})
	}
}

func testConsoleCounts(t *testing.T, s store.Store) {
	ctx := t.Context()
	for range 3 {
		mustCreateUserAt(t, s, t0, "")
	}
	if n, err := s.CountUsers(ctx); err != nil || n != 3 {
		t.Fatalf("CountUsers = %d, %v; want 3", n, err)
	}
	for i, ev := range []string{"login", "login", "login_failed", "login", "logout"} {
		// The first event is older than the period counted.
		at := t0.Add(time.Duration(i) * time.Hour)
		if err := s.AddAuditEvent(ctx, &store.AuditEvent{Event: ev, CreatedAt: at}); err != nil {
			t.Fatalf("AddAuditEvent: %v", err)
		}
	}
	got, err := s.CountAuditEvents(ctx, []string{"login", "login_failed", "login_refused"}, t0.Add(time.Hour))
	if err != nil {
		t.Fatalf("CountAuditEvents: %v", err)
	}
	wantEqual(t, "counts", got, map[string]int64{"login": 2, "login_failed": 1})
	got, err = s.CountAuditEvents(ctx, []string{"login"}, t0.Add(24*time.Hour))
	if err != nil || len(got) != 0 {
		t.Fatalf("CountAuditEvents of an empty period = %v, %v", got, err)
	}

	window := 15 * time.Minute
	for i := range 3 {
		if _, err := s.RecordLoginFailure(ctx, "account:ada", t0, t0.Add(-window)); err != nil {
			t.Fatalf("RecordLoginFailure: %v", err)
		}
		if _, err := s.RecordLoginFailure(ctx, "account:bob", t0, t0.Add(-window)); err != nil && i == 0 {
			t.Fatalf("RecordLoginFailure: %v", err)
		}
	}
	if _, err := s.RecordLoginFailure(ctx, "ip:192.0.2.1", t0, t0.Add(-window)); err != nil {
		t.Fatalf("RecordLoginFailure: %v", err)
	}
	for _, tc := range []struct {
		name     string
		prefix   string
		failures int
		since    time.Time
		want     int64
	}{
		{"accounts at the limit", "account:", 3, t0.Add(-window), 2},
		{"accounts past a higher limit", "account:", 4, t0.Add(-window), 0},
		{"addresses", "ip:", 1, t0.Add(-window), 1},
		{"windows over", "account:", 1, t0, 0},
		{"prefix is literal", "account%", 1, t0.Add(-window), 0},
	} {
		n, err := s.CountThrottled(ctx, tc.prefix, tc.failures, tc.since)
		if err != nil || n != tc.want {
			t.Errorf("%s: CountThrottled = %d, %v; want %d", tc.name, n, err, tc.want)
		}
	}
}

func testConsoleAuditUntil(t *testing.T, s store.Store) {
	ctx := t.Context()
	for i := range 4 {
		if err := s.AddAuditEvent(ctx, &store.AuditEvent{Event: "login", CreatedAt: t0.Add(time.Duration(i) * time.Hour)}); err != nil {
			t.Fatalf("AddAuditEvent: %v", err)
		}
	}
	got, err := s.QueryAuditEvents(ctx, store.AuditQuery{Since: t0.Add(time.Hour), Until: t0.Add(3 * time.Hour), Limit: 10})
	if err != nil {
		t.Fatalf("QueryAuditEvents: %v", err)
	}
	if len(got) != 2 || !got[0].CreatedAt.Equal(t0.Add(2*time.Hour)) || !got[1].CreatedAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("events between = %+v, want the ones of hours 2 and 1", got)
	}
}
