package storetest

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/store"
)

// testPrefixExact checks that the prefixes of ListUsers and CountThrottled
// match the characters given, case included, on every database, and that
// a prefix of any length is an answer (no match), never an error.
func testPrefixExact(t *testing.T, s store.Store) {
	ctx := t.Context()
	ada := mustCreateUserAt(t, s, t0, "ada@example.com")
	name, norm := "Lovelace", "lovelace"
	ada.Username, ada.UsernameNormalized = &name, &norm
	if err := s.UpdateUser(ctx, ada); err != nil {
		t.Fatalf("UpdateUser: %v", err)
	}
	unal := mustCreateUserAt(t, s, t0.Add(time.Second), "ünal@example.com")
	long := strings.Repeat("a", 60000)
	for _, tc := range []struct {
		name string
		q    store.UserQuery
		want []uuid.UUID
	}{
		{"e-mail prefix", store.UserQuery{EmailPrefix: "ada"}, []uuid.UUID{ada.ID}},
		{"non-ASCII prefix", store.UserQuery{EmailPrefix: "ün"}, []uuid.UUID{unal.ID}},
		{"non-ASCII search", store.UserQuery{Search: "ünal@"}, []uuid.UUID{unal.ID}},
		{"e-mail prefix in capitals", store.UserQuery{EmailPrefix: "ADA"}, nil},
		{"search in capitals", store.UserQuery{Search: "ADA"}, nil},
		{"username search in capitals", store.UserQuery{Search: "LOVE"}, nil},
		{"long e-mail prefix", store.UserQuery{EmailPrefix: long}, nil},
		{"long search", store.UserQuery{Search: long}, nil},
		{"long search of wildcards", store.UserQuery{Search: strings.Repeat("%", 30000)}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.q.Limit = 10
			got, err := s.ListUsers(ctx, tc.q)
			if err != nil {
				t.Fatalf("ListUsers: %v", err)
			}
			var ids []uuid.UUID
			for _, u := range got {
				ids = append(ids, u.ID)
			}
			wantEqual(t, "users", ids, tc.want)
		})
	}

	window := 15 * time.Minute
	if _, err := s.RecordLoginFailure(ctx, "account:ada", t0, t0.Add(-window)); err != nil {
		t.Fatalf("RecordLoginFailure: %v", err)
	}
	for _, tc := range []struct {
		prefix string
		want   int64
	}{{"account:", 1}, {"ACCOUNT:", 0}, {long, 0}} {
		n, err := s.CountThrottled(ctx, tc.prefix, 1, t0.Add(-window))
		if err != nil || n != tc.want {
			t.Errorf("CountThrottled(%.20q) = %d, %v; want %d", tc.prefix, n, err, tc.want)
		}
	}
}

// testInvalidUTF8 checks that look-ups and writes by a value that is not
// text Postgres can hold (bytes that are not UTF-8, a NUL: what a path or
// query string can carry) find nothing on every database, rather than
// failing, and leave every row as it was.
func testInvalidUTF8(t *testing.T, s store.Store) {
	ctx := t.Context()
	ada := mustCreateUserAt(t, s, t0, "ada@example.com")
	for _, bad := range []string{"ada\xff", "ada\x00"} {
		if _, err := s.GetUserByEmail(ctx, bad); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetUserByEmail(%q): got %v, want ErrNotFound", bad, err)
		}
		if _, err := s.GetUserByUsername(ctx, bad); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetUserByUsername(%q): got %v, want ErrNotFound", bad, err)
		}
		if got, err := s.ListUsers(ctx, store.UserQuery{Search: bad, Limit: 10}); err != nil || len(got) != 0 {
			t.Errorf("ListUsers(%q): got %d users, %v; want none", bad, len(got), err)
		}
		if _, err := s.GetClient(ctx, bad); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetClient(%q): got %v, want ErrNotFound", bad, err)
		}
		if err := s.UpdateClient(ctx, newClient(bad)); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("UpdateClient(%q): got %v, want ErrNotFound", bad, err)
		}
		if _, err := s.DeleteClient(ctx, bad, t0); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("DeleteClient(%q): got %v, want ErrNotFound", bad, err)
		}
		if err := s.SetClientSecret(ctx, bad, []byte("hash"), t0); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("SetClientSecret(%q): got %v, want ErrNotFound", bad, err)
		}
		if _, err := s.GetConsent(ctx, ada.ID, bad); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetConsent(%q): got %v, want ErrNotFound", bad, err)
		}
		if err := s.DeleteConsent(ctx, ada.ID, bad); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("DeleteConsent(%q): got %v, want ErrNotFound", bad, err)
		}
	}
	// The default client, which every database has, is untouched.
	c, err := s.GetClient(ctx, store.DefaultClientID)
	if err != nil {
		t.Fatalf("GetClient(default): %v", err)
	}
	if !c.UpdatedAt.Equal(c.CreatedAt) || c.SecretHash != nil {
		t.Errorf("default client changed: updated %v (created %v), secret %x", c.UpdatedAt, c.CreatedAt, c.SecretHash)
	}
}
