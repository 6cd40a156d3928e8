package token_test

import (
	"bytes"
	"testing"

	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/token"
)

func TestRefreshFirstChecks(t *testing.T) {
	r := token.NewRefresher(secret)
	sid, n := uuid.New(), nonce(t)
	first := r.First(sid, 1, n)
	parsed, err := token.Parse(first.String())
	if err != nil || !r.Check(parsed, n) {
		t.Fatalf("Parse(First) = %v, Check refused it", err)
	}
}

func TestRefreshChain(t *testing.T) {
	r := token.NewRefresher(secret)
	sid, n := uuid.New(), nonce(t)
	first := r.First(sid, 1, n)
	next := r.Next(first)
	if next.SessionID != sid || next.Generation != 2 || len(next.MAC) != 32 || bytes.Equal(next.MAC, first.MAC) {
		t.Fatalf("Next = %+v", next)
	}
	if again := r.Next(first); !bytes.Equal(again.MAC, next.MAC) {
		t.Error("Next is not deterministic")
	}
	if other := token.NewRefresher(bytes.Repeat([]byte{1}, 32)).Next(first); bytes.Equal(other.MAC, next.MAC) {
		t.Error("Next does not depend on the secret")
	}
	if r.Check(next, n) {
		t.Error("a chained token also passes the nonce check: the two derivations must differ")
	}
	fifth := r.Next(r.Next(r.Next(next)))
	tests := []struct {
		name   string
		from   token.Refresh
		gen    int64
		digest []byte
		want   bool
	}{
		{"same generation", fifth, 5, fifth.Digest(), true},
		{"one step", first, 2, next.Digest(), true},
		{"four steps", first, 5, fifth.Digest(), true},
		{"wrong digest", first, 5, next.Digest(), false},
		{"backwards", fifth, 2, next.Digest(), false},
		{"short digest", first, 2, next.Digest()[:16], false},
		{"forged MAC", token.Refresh{SessionID: sid, Generation: 1, MAC: make([]byte, 32)}, 2, next.Digest(), false},
		{"other session", token.Refresh{SessionID: uuid.New(), Generation: 1, MAC: first.MAC}, 2, next.Digest(), false},
		{"beyond the walk limit", first, 1 + token.MaxChainWalk + 1, next.Digest(), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := r.Reaches(tc.from, tc.gen, tc.digest); got != tc.want {
				t.Errorf("Reaches = %v, want %v", got, tc.want)
			}
		})
	}
	parsed, err := token.Parse(fifth.String())
	if err != nil || parsed.Generation != 5 || !bytes.Equal(parsed.MAC, fifth.MAC) {
		t.Errorf("Parse(String()) = %+v, %v", parsed, err)
	}
}
