package storetest

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/store"
)

func testClientDefault(t *testing.T, s store.Store) {
	c, err := s.GetClient(t.Context(), store.DefaultClientID)
	if err != nil {
		t.Fatalf("GetClient(default): %v", err)
	}
	if c.ID != store.DefaultClientID || c.Name != "Default" {
		t.Errorf("default client: id %q name %q", c.ID, c.Name)
	}
	wantEqual(t, "AllowedDelivery", c.AllowedDelivery, []string{"body", "cookie", "session", "token"})
	if c.AccessTTL != 0 || c.IdleTTL != 0 || c.MaxTTL != 0 {
		t.Errorf("default client TTLs: %v %v %v, want 0 (server defaults)", c.AccessTTL, c.IdleTTL, c.MaxTTL)
	}
	if len(c.CORSOrigins) != 0 || len(c.Audiences) != 0 {
		t.Errorf("default client lists: %v %v, want empty", c.CORSOrigins, c.Audiences)
	}
	if c.Type != store.ClientPublic || !c.FirstParty || c.LogoutEndsSessions || c.SecretHash != nil || c.SecretCreatedAt != nil {
		t.Errorf("default client: type %q, first party %v, logout ends sessions %v, secret %x at %v; want public, first-party, no secret",
			c.Type, c.FirstParty, c.LogoutEndsSessions, c.SecretHash, c.SecretCreatedAt)
	}
	if len(c.RedirectURIs) != 0 || len(c.PostLogoutRedirectURIs) != 0 {
		t.Errorf("default client redirect URIs: %v %v, want none", c.RedirectURIs, c.PostLogoutRedirectURIs)
	}
	wantEqual(t, "GrantTypes", c.GrantTypes, []string{"authorization_code", "refresh_token"})
	wantEqual(t, "Scopes", c.Scopes, []string{"openid", "profile", "email", "offline_access"})
	if c.CreatedAt.IsZero() || c.CreatedAt.Location() != time.UTC {
		t.Errorf("default client CreatedAt: %v, want set, in UTC", c.CreatedAt)
	}
	_, err = s.GetClient(t.Context(), "no-such-client")
	wantIs(t, "GetClient(unknown)", err, store.ErrNotFound)
}

func testAuditAddList(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice, bob, admin, sid := uuid.New(), uuid.New(), uuid.New(), uuid.New()
	events := []*store.AuditEvent{
		{Event: "login", UserID: &alice, SessionID: &sid, IP: "192.0.2.1", UserAgent: "ua/1",
			Details: map[string]string{"client_id": "default", "delivery": "body"}, CreatedAt: t0},
		{Event: "login_failed", UserID: &bob, IP: "192.0.2.2", CreatedAt: t0.Add(time.Second)},
		{Event: "admin_session_revoked", ActorID: &admin, UserID: &alice, SessionID: &sid,
			Details: map[string]string{"reason": "admin"}, CreatedAt: t0.Add(2 * time.Second)},
		{Event: "key_rotated", CreatedAt: t0.Add(3 * time.Second)},
	}
	var last int64
	for i, e := range events {
		if err := s.AddAuditEvent(ctx, e); err != nil {
			t.Fatalf("AddAuditEvent %d: %v", i, err)
		}
		if e.ID <= last {
			t.Errorf("event %d: id %d, want more than %d", i, e.ID, last)
		}
		last = e.ID
	}
	all, err := s.ListAuditEvents(ctx, nil, 10)
	if err != nil {
		t.Fatalf("ListAuditEvents(all): %v", err)
	}
	wantEqual(t, "ListAuditEvents(all)", all,
		[]store.AuditEvent{*events[3], *events[2], *events[1], *events[0]})

	mine, err := s.ListAuditEvents(ctx, &alice, 10)
	if err != nil {
		t.Fatalf("ListAuditEvents(alice): %v", err)
	}
	wantEqual(t, "ListAuditEvents(alice)", mine, []store.AuditEvent{*events[2], *events[0]})

	one, err := s.ListAuditEvents(ctx, nil, 1)
	if err != nil || len(one) != 1 || one[0].ID != events[3].ID {
		t.Errorf("ListAuditEvents(limit 1): %+v, %v; want the newest event only", one, err)
	}
	nobody := uuid.New()
	none, err := s.ListAuditEvents(ctx, &nobody, 10)
	if err != nil || len(none) != 0 {
		t.Errorf("ListAuditEvents(unknown user): %+v, %v; want none", none, err)
	}
}

// testAuditDefaults checks that an event without ID or CreatedAt gets both.
func testAuditDefaults(t *testing.T, s store.Store) {
	e := &store.AuditEvent{Event: "logout"}
	if err := s.AddAuditEvent(t.Context(), e); err != nil {
		t.Fatalf("AddAuditEvent: %v", err)
	}
	if e.ID == 0 || e.CreatedAt.IsZero() || e.CreatedAt.Location() != time.UTC {
		t.Errorf("event after AddAuditEvent: id %d, created %v; want both set, in UTC", e.ID, e.CreatedAt)
	}
	list, err := s.ListAuditEvents(t.Context(), nil, 1)
	if err != nil || len(list) != 1 {
		t.Fatalf("ListAuditEvents: %+v, %v", list, err)
	}
	wantEqual(t, "stored event", &list[0], e)
}
