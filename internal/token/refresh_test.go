package token_test

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/tessera-id/tessera/internal/token"
)

func nonce(tb testing.TB) []byte {
	tb.Helper()
	n, err := token.NewNonce()
	if err != nil || len(n) != token.NonceSize {
		tb.Fatalf("NewNonce = %x, %v", n, err)
	}
	return n
}

var secret = bytes.Repeat([]byte{0x5e}, 32)

func TestRefreshRoundTrip(t *testing.T) {
	r := token.NewRefresher(secret)
	sid, n := uuid.New(), nonce(t)
	for _, gen := range []int64{0, 1, 41, math.MaxInt64} {
		raw := r.First(sid, gen, n).String()
		if !strings.HasPrefix(raw, token.RefreshPrefix) || len(raw) != token.RefreshLength {
			t.Fatalf("token %q", raw)
		}
		got, err := token.Parse(raw)
		if err != nil {
			t.Fatalf("Parse: %v", err)
		}
		if got.SessionID != sid || got.Generation != gen || len(got.MAC) != 32 {
			t.Errorf("Parse = %+v", got)
		}
		if !r.Check(got, n) {
			t.Error("Check refused its own token")
		}
		if r.First(sid, gen, n).String() != raw {
			t.Error("First is not deterministic")
		}
	}
}

func TestRefreshCheckRefuses(t *testing.T) {
	r := token.NewRefresher(secret)
	sid, n := uuid.New(), nonce(t)
	good, _ := token.Parse(r.First(sid, 7, n).String())
	tests := []struct {
		name  string
		r     *token.Refresher
		tok   token.Refresh
		nonce []byte
	}{
		{"another secret", token.NewRefresher(bytes.Repeat([]byte{1}, 32)), good, n},
		{"another nonce", r, good, nonce(t)},
		{"another generation", r, token.Refresh{SessionID: sid, Generation: 8, MAC: good.MAC}, n},
		{"another session", r, token.Refresh{SessionID: uuid.New(), Generation: 7, MAC: good.MAC}, n},
		{"short MAC", r, token.Refresh{SessionID: sid, Generation: 7, MAC: good.MAC[:16]}, n},
		{"no MAC", r, token.Refresh{SessionID: sid, Generation: 7}, n},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.r.Check(tt.tok, tt.nonce) {
				t.Error("Check accepted")
			}
		})
	}
}

func TestRefreshTamperAnyByte(t *testing.T) {
	r := token.NewRefresher(secret)
	n := nonce(t)
	raw := r.First(uuid.New(), 3, n).String()
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/. \n"
	for i := range len(raw) {
		for _, c := range []byte(alphabet) {
			if raw[i] == c {
				continue
			}
			b := []byte(raw)
			b[i] = c
			if tok, err := token.Parse(string(b)); err == nil && r.Check(tok, n) {
				t.Fatalf("byte %d changed to %q still passes", i, c)
			}
		}
	}
}

func TestParseRefuses(t *testing.T) {
	r := token.NewRefresher(secret)
	raw := r.First(uuid.New(), 1, nonce(t)).String()
	body := raw[len(token.RefreshPrefix):]
	var neg [56]byte
	binary.BigEndian.PutUint64(neg[16:24], uint64(1)<<63)
	tests := []struct{ name, raw string }{
		{"empty", ""},
		{"prefix only", token.RefreshPrefix},
		{"wrong prefix", "tsk_" + body},
		{"upper-case prefix", "TSR_" + body},
		{"no prefix", body},
		{"one char short", raw[:len(raw)-1]},
		{"one char long", raw + "A"},
		{"padded", raw + "="},
		{"standard base64", token.RefreshPrefix + strings.NewReplacer("-", "+", "_", "/").Replace(body) + "+"},
		{"bad character", raw[:10] + "*" + raw[11:]},
		{"newline inside", raw[:10] + "\n" + raw[11:]},
		{"negative generation", token.RefreshPrefix + base64.RawURLEncoding.EncodeToString(neg[:])},
		{"over 200 chars", raw + strings.Repeat("A", 200)},
		{"1 MB", token.RefreshPrefix + strings.Repeat("A", 1<<20)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, err := token.Parse(tt.raw); !errors.Is(err, token.ErrMalformedRefresh) {
				t.Errorf("Parse = %+v, %v; want ErrMalformedRefresh", got, err)
			}
		})
	}
}

func TestNonceIsRandom(t *testing.T) {
	if bytes.Equal(nonce(t), nonce(t)) {
		t.Error("two nonces are equal")
	}
}

func BenchmarkRefreshToken(b *testing.B) {
	r := token.NewRefresher(secret)
	sid, n := uuid.New(), nonce(b)
	b.ReportAllocs()
	for b.Loop() {
		_ = r.First(sid, 42, n).String()
	}
}

func BenchmarkRefreshCheck(b *testing.B) {
	r := token.NewRefresher(secret)
	sid, n := uuid.New(), nonce(b)
	raw := r.First(sid, 42, n).String()
	b.ReportAllocs()
	for b.Loop() {
		t, err := token.Parse(raw)
		if err != nil || !r.Check(t, n) {
			b.Fatal("refused")
		}
	}
}
