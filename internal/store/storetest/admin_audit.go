package storetest

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/store"
)

func testAdminAuditQuery(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice, bob := uuid.New(), uuid.New()
	var ev []*store.AuditEvent
	for i, e := range []store.AuditEvent{
		{Event: "login", UserID: &alice},
		{Event: "login", UserID: &bob},
		{Event: "admin_user_updated", ActorID: &bob, UserID: &alice, Details: map[string]string{"is_active": "false"}},
		{Event: "login", UserID: &alice},
	} {
		e.CreatedAt = t0.Add(time.Duration(i) * time.Hour)
		if err := s.AddAuditEvent(ctx, &e); err != nil {
			t.Fatalf("AddAuditEvent: %v", err)
		}
		ev = append(ev, &e)
	}
	ids := func(q store.AuditQuery) []int64 {
		t.Helper()
		list, err := s.QueryAuditEvents(ctx, q)
		if err != nil {
			t.Fatalf("QueryAuditEvents(%+v): %v", q, err)
		}
		var out []int64
		for _, e := range list {
			out = append(out, e.ID)
		}
		return out
	}
	for _, tc := range []struct {
		name string
		q    store.AuditQuery
		want []int64
	}{
		{"all", store.AuditQuery{Limit: 10}, []int64{ev[3].ID, ev[2].ID, ev[1].ID, ev[0].ID}},
		{"limit", store.AuditQuery{Limit: 2}, []int64{ev[3].ID, ev[2].ID}},
		{"before", store.AuditQuery{BeforeID: ev[2].ID, Limit: 10}, []int64{ev[1].ID, ev[0].ID}},
		{"user", store.AuditQuery{UserID: &alice, Limit: 10}, []int64{ev[3].ID, ev[2].ID, ev[0].ID}},
		{"event", store.AuditQuery{Event: "login", Limit: 10}, []int64{ev[3].ID, ev[1].ID, ev[0].ID}},
		{"since", store.AuditQuery{Since: t0.Add(2 * time.Hour), Limit: 10}, []int64{ev[3].ID, ev[2].ID}},
		{"all filters", store.AuditQuery{UserID: &alice, Event: "login", Since: t0.Add(time.Minute), Limit: 10}, []int64{ev[3].ID}},
	} {
		wantEqual(t, tc.name, ids(tc.q), tc.want)
	}
	list, err := s.QueryAuditEvents(ctx, store.AuditQuery{Event: "admin_user_updated", Limit: 1})
	if err != nil || len(list) != 1 {
		t.Fatalf("QueryAuditEvents: %v, %v", list, err)
	}
	wantEqual(t, "queried event", &list[0], ev[2])

	n, err := s.PruneAuditEvents(ctx, t0.Add(2*time.Hour))
	if err != nil || n != 2 {
		t.Fatalf("PruneAuditEvents = %d, %v; want 2", n, err)
	}
	wantEqual(t, "after prune", ids(store.AuditQuery{Limit: 10}), []int64{ev[3].ID, ev[2].ID})
	if n, err := s.PruneAuditEvents(ctx, t0.Add(2*time.Hour)); err != nil || n != 0 {
		t.Errorf("PruneAuditEvents again = %d, %v; want 0", n, err)
	}
}
