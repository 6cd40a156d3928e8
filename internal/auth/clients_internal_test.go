package auth

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tessera-id/tessera/internal/store/sqlstore"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
)

// TestClientCacheStaysBounded: made-up client ids, as anyone may send to
// login or register, each leave at most one entry, and never more than
// clientCacheMax in all; the real default client still resolves.
func TestClientCacheStaysBounded(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		s := New(Deps{Store: db})
		for i := range 2000 {
			_, err := s.client(t.Context(), fmt.Sprintf("made-up-%d", i), DeliveryBody)
			if ErrorCode(err) != CodeInvalidClient {
				t.Fatalf("made-up id %d: %v, want invalid_client", i, err)
			}
		}
		if n := len(s.clients.m); n > clientCacheMax {
			t.Fatalf("2,000 made-up ids left %d cache entries, want at most %d", n, clientCacheMax)
		}
		if c, err := s.client(t.Context(), "", DeliveryBody); err != nil || c.ID != "default" {
			t.Fatalf("default client after the flood: %v %v", c, err)
		}
	})
}

// TestClientIDShapeCheckedFirst: an id no client can have is refused
// before the store or the cache sees it, and the error does not echo it.
func TestClientIDShapeCheckedFirst(t *testing.T) {
	s := New(Deps{Store: sqltest.NewSQLite(t)})
	tests := []struct{ name, id string }{
		{"64 KiB", strings.Repeat("x", 64<<10)},
		{"65 characters", strings.Repeat("a", 65)},
		{"upper case", "Mobile"},
		{"space", "my app"},
		{"path", "../default"},
		{"quote", `a"b`},
		{"non-ASCII", "défaut"},
		{"control", "a\nb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.client(t.Context(), tt.id, DeliveryBody)
			if ErrorCode(err) != CodeInvalidClient {
				t.Fatalf("%q: %v, want invalid_client", tt.id, err)
			}
			if msg := err.Error(); strings.Contains(msg, tt.id) || len(msg) > 200 {
				t.Fatalf("the error echoes the id or is long (%d bytes): %.300s", len(msg), msg)
			}
		})
	}
	if n := len(s.clients.m); n != 0 {
		t.Fatalf("malformed ids reached the cache: %d entries", n)
	}
	if _, err := s.client(t.Context(), strings.Repeat("a", 64), DeliveryBody); ErrorCode(err) != CodeInvalidClient ||
		!strings.Contains(err.Error(), strings.Repeat("a", 64)) {
		t.Fatalf("a well-formed unknown id is named in its error: %v", err)
	}
}
