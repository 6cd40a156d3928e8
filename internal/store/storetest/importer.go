package storetest

import (
	"crypto/sha256"
	"maps"
	"strings"
	"testing"

	"github.com/tessera-id/tessera/internal/store"
)

// testUserByExternalID: an imported account is found by the id it had in
// the other system, and by nothing else.
func testUserByExternalID(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := newUser(t)
	u.ExternalID = ptr("django:42")
	if err := s.CreateUser(ctx, u); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	mustCreateUser(t, s) // an account made here has no external id
	got, err := s.GetUserByExternalID(ctx, "django:42")
	if err != nil {
		t.Fatalf("GetUserByExternalID: %v", err)
	}
	wantEqual(t, "GetUserByExternalID", got, u)
	for _, id := range []string{"django:4", "DJANGO:42", "", "42"} {
		_, err := s.GetUserByExternalID(ctx, id)
		wantIs(t, "GetUserByExternalID("+id+")", err, store.ErrNotFound)
	}
}

// testCountPasswordHashes: every user's hash is counted once under the
// classifier's name.
func testCountPasswordHashes(t *testing.T, s store.Store) {
	ctx := t.Context()
	hashes := []string{"pbkdf2_sha256$1$a$b", "pbkdf2_sha256$2$a$b", "!", "$argon2id$v=19$x"}
	for _, h := range hashes {
		u := newUser(t)
		u.PasswordHash = h
		if err := s.CreateUser(ctx, u); err != nil {
			t.Fatalf("CreateUser: %v", err)
		}
	}
	got, err := s.CountPasswordHashes(ctx, func(h string) string {
		name, _, _ := strings.Cut(h, "$")
		return name
	})
	if err != nil {
		t.Fatalf("CountPasswordHashes: %v", err)
	}
	want := map[string]int64{"pbkdf2_sha256": 2, "!": 1, "": 1}
	if !maps.Equal(got, want) {
		t.Fatalf("CountPasswordHashes = %v, want %v", got, want)
	}
}

// testAuthTokenImported: a token brought from another system has no nonce
// (its key cannot be re-derived, only matched by hash); the empty nonce
// must come back empty, not NULL, on every database.
func testAuthTokenImported(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := mustCreateUser(t, s)
	sum := sha256.Sum256([]byte("0123456789abcdef0123456789abcdef01234567"))
	tok := &store.AuthToken{UserID: u.ID, KeyHash: sum[:], Nonce: []byte{}, Prefix: "0123", CreatedAt: t0}
	if err := s.CreateAuthToken(ctx, tok); err != nil {
		t.Fatalf("CreateAuthToken: %v", err)
	}
	got, err := s.GetAuthTokenByHash(ctx, sum[:])
	if err != nil {
		t.Fatalf("GetAuthTokenByHash: %v", err)
	}
	if got.UserID != u.ID || len(got.Nonce) != 0 || got.Prefix != "0123" || !got.CreatedAt.Equal(t0) {
		t.Fatalf("imported token = %+v", got)
	}
}
