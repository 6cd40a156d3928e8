package storetest

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/store"
)

func newClient(id string) *store.Client {
	return &store.Client{
		ID: id, Name: "Client " + id, AllowedDelivery: []string{"body", "cookie"},
		AccessTTL: 5 * time.Minute, IdleTTL: 90 * 24 * time.Hour, MaxTTL: 365 * 24 * time.Hour,
		CORSOrigins: []string{"https://" + id + ".example.com"}, Audiences: []string{"api://" + id},
		RedirectURIs:           []string{"https://" + id + ".example.com/cb", "http://127.0.0.1:8400/cb"},
		PostLogoutRedirectURIs: []string{"https://" + id + ".example.com/"},
		Type:                   store.ClientPublic, GrantTypes: []string{store.GrantAuthorizationCode, store.GrantRefreshToken},
		Scopes:    []string{store.ScopeOpenID, store.ScopeEmail},
		CreatedAt: t0, UpdatedAt: t0,
	}
}

func testAdminClientCRUD(t *testing.T, s store.Store) {
	ctx := t.Context()
	c := newClient("mobile")
	want := *c
	if err := s.CreateClient(ctx, c); err != nil {
		t.Fatalf("CreateClient: %v", err)
	}
	wantEqual(t, "created client", c, &want)
	got, err := s.GetClient(ctx, "mobile")
	if err != nil {
		t.Fatalf("GetClient: %v", err)
	}
	wantEqual(t, "GetClient", got, &want)
	wantConflict(t, "CreateClient(taken)", s.CreateClient(ctx, newClient("mobile")), "client_id")

	got.Name, got.AllowedDelivery, got.CORSOrigins, got.Audiences = "Phones", []string{"token"}, nil, nil
	got.IdleTTL, got.UpdatedAt = 24*time.Hour, t0.Add(time.Hour)
	got.RedirectURIs, got.PostLogoutRedirectURIs = []string{"com.example.app:/cb"}, nil
	got.FirstParty, got.LogoutEndsSessions, got.Scopes = true, true, []string{store.ScopeOpenID}
	upd := *got
	if err := s.UpdateClient(ctx, got); err != nil {
		t.Fatalf("UpdateClient: %v", err)
	}
	wantEqual(t, "updated client", got, &upd)
	again, err := s.GetClient(ctx, "mobile")
	if err != nil {
		t.Fatalf("GetClient: %v", err)
	}
	wantEqual(t, "GetClient after update", again, &upd)
	wantIs(t, "UpdateClient(unknown)", s.UpdateClient(ctx, newClient("nope")), store.ErrNotFound)
}

func testAdminListClients(t *testing.T, s store.Store) {
	ctx := t.Context()
	for _, id := range []string{"web", "cli", "mobile"} {
		if err := s.CreateClient(ctx, newClient(id)); err != nil {
			t.Fatalf("CreateClient: %v", err)
		}
	}
	var ids []string
	after := ""
	for {
		page, err := s.ListClients(ctx, after, 2)
		if err != nil {
			t.Fatalf("ListClients: %v", err)
		}
		for _, c := range page {
			ids = append(ids, c.ID)
		}
		if len(page) < 2 {
			break
		}
		after = page[len(page)-1].ID
	}
	wantEqual(t, "client ids", ids, []string{"cli", "default", "mobile", "web"})
}

func testAdminDeleteClient(t *testing.T, s store.Store) {
	ctx := t.Context()
	if err := s.CreateClient(ctx, newClient("kiosk")); err != nil {
		t.Fatalf("CreateClient: %v", err)
	}
	u := mustCreateUser(t, s)
	var ids []uuid.UUID
	for range 3 {
		sess := newSession(u.ID)
		sess.ClientID = "kiosk"
		ids = append(ids, mustCreateSession(t, s, sess).ID)
	}
	if err := s.RevokeSession(ctx, ids[0], t0, "logout"); err != nil {
		t.Fatal(err)
	}
	other := mustCreateSession(t, s, newSession(u.ID))
	n, err := s.DeleteClient(ctx, "kiosk", t0)
	if err != nil || n != 2 {
		t.Fatalf("DeleteClient = %d, %v; want 2 unrevoked sessions", n, err)
	}
	_, err = s.GetClient(ctx, "kiosk")
	wantIs(t, "GetClient after delete", err, store.ErrNotFound)
	for _, id := range ids {
		_, err := s.GetSession(ctx, id)
		wantIs(t, "session of a deleted client", err, store.ErrNotFound)
	}
	if _, err := s.GetSession(ctx, other.ID); err != nil {
		t.Errorf("session of another client: %v", err)
	}
	_, err = s.DeleteClient(ctx, "kiosk", t0)
	wantIs(t, "DeleteClient again", err, store.ErrNotFound)
}
