package storetest

import (
	"crypto/sha256"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/store"
)

// newCode is a code of u for the default client, issued at t0, living 60 s.
func newCode(u *store.User) *store.AuthorizationCode {
	sso := uuid.New()
	return &store.AuthorizationCode{
		CodeHash: randomBytes(32), ClientID: store.DefaultClientID, UserID: u.ID,
		RedirectURI: "https://app.example/cb?x=1", CodeChallenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
		CodeChallengeMethod: "S256", Nonce: "n-0S6_WzA2Mj", Scope: []string{"openid", "email"},
		AuthTime: t0.Add(-time.Minute), SSOSessionID: &sso, AMR: []string{"pwd"},
		CreatedAt: t0, ExpiresAt: t0.Add(time.Minute),
	}
}

func mustCreateCode(t testing.TB, s store.Store, c *store.AuthorizationCode) *store.AuthorizationCode {
	t.Helper()
	if err := s.CreateAuthorizationCode(t.Context(), c); err != nil {
		t.Fatalf("CreateAuthorizationCode: %v", err)
	}
	return c
}

// testCodeCreateUse: a code comes back exactly as stored, marked used by
// its one exchange; its hash is unique, and it needs a real user and client.
func testCodeCreateUse(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := mustCreateUser(t, s)
	c := newCode(u)
	want := *c
	mustCreateCode(t, s, c)
	wantEqual(t, "created code", *c, want)
	at := t0.Add(30 * time.Second)
	got, err := s.UseAuthorizationCode(ctx, want.CodeHash, at)
	if err != nil {
		t.Fatalf("UseAuthorizationCode: %v", err)
	}
	want.UsedAt = &at
	wantEqual(t, "used code", *got, want)

	bare := &store.AuthorizationCode{CodeHash: randomBytes(32), ClientID: store.DefaultClientID, UserID: u.ID,
		RedirectURI: "com.example.app:/cb", AuthTime: t0, CreatedAt: t0, ExpiresAt: t0.Add(time.Minute)}
	wantBare := *bare
	mustCreateCode(t, s, bare)
	wantEqual(t, "code without PKCE, nonce, scope, SSO session or amr", *bare, wantBare)

	dup := newCode(u)
	dup.CodeHash = want.CodeHash
	wantConflict(t, "taken code hash", s.CreateAuthorizationCode(ctx, dup), "code_hash")
	for name, c := range map[string]*store.AuthorizationCode{
		"unknown user":   newCode(&store.User{ID: uuid.New()}),
		"unknown client": func() *store.AuthorizationCode { c := newCode(u); c.ClientID = "nope"; return c }(),
	} {
		if err := s.CreateAuthorizationCode(ctx, c); err == nil {
			t.Errorf("a code of an %s was stored", name)
		}
	}
	for name, hash := range map[string][]byte{"unknown": randomBytes(32), "nil": nil, "empty": {}} {
		_, err := s.UseAuthorizationCode(ctx, hash, at)
		wantIs(t, name+" hash", err, store.ErrNotFound)
	}
}

// testCodeExpiry: a code works strictly before its expiry, never at or
// after it, and an expired code is stale, not a replay.
func testCodeExpiry(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := mustCreateUser(t, s)
	c := mustCreateCode(t, s, newCode(u))
	for _, at := range []time.Time{c.ExpiresAt, c.ExpiresAt.Add(time.Microsecond), c.ExpiresAt.Add(time.Hour)} {
		got, err := s.UseAuthorizationCode(ctx, c.CodeHash, at)
		wantIs(t, "use at "+at.Format(time.RFC3339Nano), err, store.ErrStale)
		if errors.Is(err, store.ErrCodeReused) || got != nil {
			t.Errorf("expired, unused code: got %+v, %v; want a plain ErrStale", got, err)
		}
	}
	if _, err := s.UseAuthorizationCode(ctx, c.CodeHash, c.ExpiresAt.Add(-time.Microsecond)); err != nil {
		t.Fatalf("use just before expiry: %v", err)
	}
}

// testCodeReplay: a second use returns the stored code with
// ErrCodeReused, carrying the session the first use produced, whichever of
// SetCodeSession and the replay comes first.
func testCodeReplay(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := mustCreateUser(t, s)
	sid := uuid.New()

	first := mustCreateCode(t, s, newCode(u))
	wantIs(t, "session of an unused code", s.SetCodeSession(ctx, first.CodeHash, sid), store.ErrStale)
	wantIs(t, "session of an unknown code", s.SetCodeSession(ctx, randomBytes(32), sid), store.ErrNotFound)
	if _, err := s.UseAuthorizationCode(ctx, first.CodeHash, t0); err != nil {
		t.Fatal(err)
	}
	if err := s.SetCodeSession(ctx, first.CodeHash, sid); err != nil {
		t.Fatalf("SetCodeSession: %v", err)
	}
	replayAt := t0.Add(2 * time.Hour) // long expired: still a replay
	got, err := s.UseAuthorizationCode(ctx, first.CodeHash, replayAt)
	wantIs(t, "second use", err, store.ErrCodeReused)
	wantIs(t, "second use", err, store.ErrStale)
	if got == nil || got.SessionID == nil || *got.SessionID != sid || got.ReusedAt == nil {
		t.Fatalf("replayed code = %+v, want it with session %s and reused_at", got, sid)
	}
	wantTime(t, "used_at after replay", *got.UsedAt, t0)
	wantTime(t, "reused_at", *got.ReusedAt, replayAt)
	again, err := s.UseAuthorizationCode(ctx, first.CodeHash, replayAt.Add(time.Hour))
	wantIs(t, "third use", err, store.ErrCodeReused)
	if again == nil || !again.ReusedAt.Equal(*got.ReusedAt) {
		t.Errorf("third use = %+v: reused_at must keep the first replay", again)
	}

	// The replay lands between the winning exchange and its SetCodeSession.
	early := mustCreateCode(t, s, newCode(u))
	if _, err := s.UseAuthorizationCode(ctx, early.CodeHash, t0); err != nil {
		t.Fatal(err)
	}
	got, err = s.UseAuthorizationCode(ctx, early.CodeHash, t0.Add(time.Second))
	wantIs(t, "replay before the session is set", err, store.ErrCodeReused)
	if got == nil || got.SessionID != nil {
		t.Fatalf("replayed code = %+v, want it without a session yet", got)
	}
	wantIs(t, "SetCodeSession after a replay", s.SetCodeSession(ctx, early.CodeHash, sid), store.ErrCodeReused)
}

// testCodeUseConcurrent: of 100 simultaneous exchanges of one code exactly
// one wins; every other gets ErrStale, as a replay carrying the code.
func testCodeUseConcurrent(t *testing.T, s store.Store) {
	u := mustCreateUser(t, s)
	c := mustCreateCode(t, s, newCode(u))
	const n = 100
	codes := make([]*store.AuthorizationCode, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			codes[i], errs[i] = s.UseAuthorizationCode(t.Context(), c.CodeHash, t0.Add(time.Second))
		}()
	}
	close(start)
	wg.Wait()
	wins := 0
	for i, err := range errs {
		switch {
		case err == nil:
			wins++
		case !errors.Is(err, store.ErrCodeReused) || codes[i] == nil || codes[i].UserID != u.ID:
			t.Errorf("loser got %+v, %v; want the code with ErrCodeReused", codes[i], err)
		}
	}
	if wins != 1 {
		t.Fatalf("%d winners, want exactly 1", wins)
	}
}

// testCodePrune: codes that expired before the cutoff go, used or not;
// the others stay.
func testCodePrune(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := mustCreateUser(t, s)
	old, used, fresh := newCode(u), newCode(u), newCode(u)
	used.ExpiresAt = old.ExpiresAt
	fresh.ExpiresAt = t0.Add(time.Hour)
	for _, c := range []*store.AuthorizationCode{old, used, fresh} {
		mustCreateCode(t, s, c)
	}
	if _, err := s.UseAuthorizationCode(ctx, used.CodeHash, t0); err != nil {
		t.Fatal(err)
	}
	n, err := s.PruneAuthorizationCodes(ctx, old.ExpiresAt)
	if err != nil || n != 0 {
		t.Fatalf("prune at the expiry = %d, %v; want 0 (strictly before)", n, err)
	}
	n, err = s.PruneAuthorizationCodes(ctx, old.ExpiresAt.Add(time.Microsecond))
	if err != nil || n != 2 {
		t.Fatalf("prune = %d, %v; want 2", n, err)
	}
	_, err = s.UseAuthorizationCode(ctx, used.CodeHash, t0)
	wantIs(t, "pruned code", err, store.ErrNotFound)
	if _, err := s.UseAuthorizationCode(ctx, fresh.CodeHash, t0); err != nil {
		t.Errorf("code expiring later was pruned: %v", err)
	}
}

// testCodePruneBatches: a backlog larger than one batch goes in one call.
func testCodePruneBatches(t *testing.T, s store.Store) {
	u := mustCreateUser(t, s)
	const n = 1005
	for range n {
		mustCreateCode(t, s, newCode(u))
	}
	got, err := s.PruneAuthorizationCodes(t.Context(), t0.Add(time.Hour))
	if err != nil || got != n {
		t.Fatalf("PruneAuthorizationCodes = %d, %v; want %d", got, err, n)
	}
}

// testOAuthCascade: deleting a user or a client removes its codes and
// consents, and nobody else's.
func testOAuthCascade(t *testing.T, s store.Store) {
	ctx := t.Context()
	if err := s.CreateClient(ctx, newClient("tool")); err != nil {
		t.Fatal(err)
	}
	gone, stays := mustCreateUser(t, s), mustCreateUser(t, s)
	goneCode := mustCreateCode(t, s, newCode(gone))
	toolCode := newCode(stays)
	toolCode.ClientID = "tool"
	mustCreateCode(t, s, toolCode)
	keptCode := mustCreateCode(t, s, newCode(stays))
	for _, c := range []store.Consent{{UserID: gone.ID, ClientID: "default"}, {UserID: stays.ID, ClientID: "tool"},
		{UserID: stays.ID, ClientID: "default"}} {
		c.Scopes, c.GrantedAt = []string{"openid"}, t0
		if err := s.UpsertConsent(ctx, &c); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.DeleteUser(ctx, gone.ID, t0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeleteClient(ctx, "tool", t0); err != nil {
		t.Fatal(err)
	}
	for name, hash := range map[string][]byte{"deleted user's": goneCode.CodeHash, "deleted client's": toolCode.CodeHash} {
		_, err := s.UseAuthorizationCode(ctx, hash, t0)
		wantIs(t, name+" code", err, store.ErrNotFound)
	}
	if _, err := s.UseAuthorizationCode(ctx, keptCode.CodeHash, t0); err != nil {
		t.Errorf("another user's code: %v", err)
	}
	_, err := s.GetConsent(ctx, gone.ID, "default")
	wantIs(t, "deleted user's consent", err, store.ErrNotFound)
	list, err := s.ListConsents(ctx, stays.ID)
	if err != nil || len(list) != 1 || list[0].ClientID != "default" {
		t.Fatalf("consents left = %+v, %v; want the default client's only", list, err)
	}
}

// testConsents: a consent is stored, replaced, listed by client and
// withdrawn.
func testConsents(t *testing.T, s store.Store) {
	ctx := t.Context()
	for _, id := range []string{"zeta", "alpha"} {
		if err := s.CreateClient(ctx, newClient(id)); err != nil {
			t.Fatal(err)
		}
	}
	u, other := mustCreateUser(t, s), mustCreateUser(t, s)
	_, err := s.GetConsent(ctx, u.ID, "zeta")
	wantIs(t, "no consent yet", err, store.ErrNotFound)
	c := &store.Consent{UserID: u.ID, ClientID: "zeta", Scopes: []string{"openid"}, GrantedAt: t0}
	want := *c
	if err := s.UpsertConsent(ctx, c); err != nil {
		t.Fatalf("UpsertConsent: %v", err)
	}
	wantEqual(t, "stored consent", *c, want)
	more := &store.Consent{UserID: u.ID, ClientID: "zeta", Scopes: []string{"openid", "email", "offline_access"},
		GrantedAt: t0.Add(time.Hour)}
	wantMore := *more
	if err := s.UpsertConsent(ctx, more); err != nil {
		t.Fatalf("UpsertConsent again: %v", err)
	}
	got, err := s.GetConsent(ctx, u.ID, "zeta")
	if err != nil {
		t.Fatal(err)
	}
	wantEqual(t, "replaced consent", *got, wantMore)
	alpha := store.Consent{UserID: u.ID, ClientID: "alpha", Scopes: []string{"openid", "profile"}, GrantedAt: t0}
	theirs := store.Consent{UserID: other.ID, ClientID: "alpha", GrantedAt: t0}
	for _, c := range []store.Consent{alpha, theirs} {
		if err := s.UpsertConsent(ctx, &c); err != nil {
			t.Fatal(err)
		}
	}
	list, err := s.ListConsents(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantEqual(t, "ListConsents", list, []store.Consent{alpha, wantMore})
	if err := s.DeleteConsent(ctx, u.ID, "zeta"); err != nil {
		t.Fatalf("DeleteConsent: %v", err)
	}
	_, err = s.GetConsent(ctx, u.ID, "zeta")
	wantIs(t, "withdrawn consent", err, store.ErrNotFound)
	wantIs(t, "DeleteConsent again", s.DeleteConsent(ctx, u.ID, "zeta"), store.ErrNotFound)
	if got, err := s.GetConsent(ctx, other.ID, "alpha"); err != nil || got.Scopes != nil {
		t.Errorf("another user's consent = %+v, %v", got, err)
	}
	if err := s.UpsertConsent(ctx, &store.Consent{UserID: u.ID, ClientID: "nope", GrantedAt: t0}); err == nil {
		t.Error("a consent to an unknown client was stored")
	}
}

// testClientSecret: SetClientSecret replaces the hash and its time; an
// update of the client's other fields keeps it.
func testClientSecret(t *testing.T, s store.Store) {
	ctx := t.Context()
	c := newClient("backend")
	c.Type, c.GrantTypes = store.ClientConfidential, []string{store.GrantClientCredentials}
	first := sha256.Sum256([]byte("tcs_first"))
	c.SecretHash, c.SecretCreatedAt = first[:], ptr(t0)
	if err := s.CreateClient(ctx, c); err != nil {
		t.Fatal(err)
	}
	second := sha256.Sum256([]byte("tcs_second"))
	at := t0.Add(time.Hour)
	if err := s.SetClientSecret(ctx, "backend", second[:], at); err != nil {
		t.Fatalf("SetClientSecret: %v", err)
	}
	got, err := s.GetClient(ctx, "backend")
	if err != nil {
		t.Fatal(err)
	}
	wantEqual(t, "secret hash", got.SecretHash, second[:])
	wantTime(t, "secret_created_at", *got.SecretCreatedAt, at)
	wantTime(t, "updated_at", got.UpdatedAt, at)

	got.Name, got.SecretHash, got.SecretCreatedAt, got.UpdatedAt = "Backend", nil, nil, at.Add(time.Hour)
	if err := s.UpdateClient(ctx, got); err != nil {
		t.Fatal(err)
	}
	wantEqual(t, "secret hash after UpdateClient", got.SecretHash, second[:])
	wantIs(t, "SetClientSecret(unknown)", s.SetClientSecret(ctx, "nope", second[:], at), store.ErrNotFound)
}
