package password_test

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tessera-id/tessera/internal/password"
)

// cheapParams keep tests fast; they are valid but far below DefaultParams.
var cheapParams = password.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// phcRE is the shape SECURITY.md asks for: argon2id v=19 PHC, unpadded
// standard base64 salt (16 bytes: 22 chars) and hash (32 bytes: 43 chars).
var phcRE = regexp.MustCompile(`^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)

// refPHC is the reference implementation's (phc-winner-argon2) argon2id
// vector for password "password", salt "somesalt", m=65536, t=2, p=1.
const refPHC = "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"

func newHasher(tb testing.TB, p password.Params, concurrency int) *password.Hasher {
	tb.Helper()
	return password.NewHasher(p, concurrency)
}

func mustHash(tb testing.TB, h *password.Hasher, pw string) string {
	tb.Helper()
	phc, err := h.Hash(context.Background(), pw)
	if err != nil {
		tb.Fatalf("Hash(%q): %v", pw, err)
	}
	return phc
}

func TestHashFormat(t *testing.T) {
	h := newHasher(t, password.DefaultParams, 0)
	if got := h.Params(); got != password.DefaultParams {
		t.Fatalf("Params() = %+v, want %+v", got, password.DefaultParams)
	}
	a := mustHash(t, h, "correct horse battery staple")
	b := mustHash(t, h, "correct horse battery staple")
	for _, phc := range []string{a, b} {
		if !phcRE.MatchString(phc) {
			t.Errorf("hash %q does not match %v", phc, phcRE)
		}
	}
	if a == b {
		t.Error("two hashes of one password are equal: salt is not random")
	}
}

func TestVerify(t *testing.T) {
	def := newHasher(t, password.DefaultParams, 0)
	cheap := newHasher(t, cheapParams, 0)
	defHash := mustHash(t, def, "correct horse battery staple")
	cheapHash := mustHash(t, cheap, "correct horse battery staple")
	otherKeyLen := cheapParams
	otherKeyLen.KeyLen = 64
	otherKeyLenHash := mustHash(t, newHasher(t, otherKeyLen, 1), "correct horse battery staple")

	tests := []struct {
		name       string
		hasher     *password.Hasher
		password   string
		phc        string
		ok, rehash bool
	}{
		{name: "round trip default params", hasher: def, password: "correct horse battery staple", phc: defHash, ok: true},
		{name: "wrong password", hasher: def, password: "correct horse battery stapler", phc: defHash},
		{name: "empty password", hasher: def, password: "", phc: defHash},
		{name: "case differs", hasher: def, password: "Correct horse battery staple", phc: defHash},
		{name: "round trip cheap params", hasher: cheap, password: "correct horse battery staple", phc: cheapHash, ok: true},
		{name: "other params verify and need rehash", hasher: def, password: "correct horse battery staple", phc: cheapHash, ok: true, rehash: true},
		{name: "wrong password never asks for rehash", hasher: def, password: "nope", phc: cheapHash},
		{name: "stronger params than ours need rehash too", hasher: cheap, password: "correct horse battery staple", phc: defHash, ok: true, rehash: true},
		{name: "other key length needs rehash", hasher: cheap, password: "correct horse battery staple", phc: otherKeyLenHash, ok: true, rehash: true},
		{name: "reference implementation vector", hasher: def, password: "password", phc: refPHC, ok: true, rehash: true},
		{name: "reference vector wrong password", hasher: def, password: "Password", phc: refPHC},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, rehash, err := tt.hasher.Verify(context.Background(), tt.password, tt.phc)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if ok != tt.ok || rehash != tt.rehash {
				t.Errorf("Verify = ok %v, needsRehash %v; want %v, %v", ok, rehash, tt.ok, tt.rehash)
			}
		})
	}
}

func TestVerifyMalformed(t *testing.T) {
	const salt = "c29tZXNhbHQ"                                // 8 bytes
	const key = "CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc" // 32 bytes
	withCosts := func(costs string) string { return "$argon2id$v=19$" + costs + "$" + salt + "$" + key }
	tests := []struct {
		name string
		phc  string
	}{
		{name: "empty", phc: ""},
		{name: "garbage", phc: "not a hash"},
		{name: "bcrypt", phc: "$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"},
		{name: "argon2i", phc: strings.Replace(refPHC, "argon2id", "argon2i", 1)},
		{name: "argon2d", phc: strings.Replace(refPHC, "argon2id", "argon2d", 1)},
		{name: "upper-case algorithm", phc: strings.Replace(refPHC, "argon2id", "ARGON2ID", 1)},
		{name: "version 16", phc: strings.Replace(refPHC, "v=19", "v=16", 1)},
		{name: "version missing", phc: "$argon2id$m=65536,t=2,p=1$" + salt + "$" + key},
		{name: "no leading dollar", phc: refPHC[1:]},
		{name: "trailing dollar", phc: refPHC + "$"},
		{name: "extra field", phc: refPHC + "$AAAA"},
		{name: "hash missing", phc: "$argon2id$v=19$m=65536,t=2,p=1$" + salt},
		{name: "empty hash", phc: "$argon2id$v=19$m=65536,t=2,p=1$" + salt + "$"},
		{name: "empty salt", phc: "$argon2id$v=19$m=65536,t=2,p=1$$" + key},
		{name: "params reordered", phc: withCosts("t=2,m=65536,p=1")},
		{name: "params with spaces", phc: withCosts("m=65536, t=2, p=1")},
		{name: "keyid parameter", phc: withCosts("m=65536,t=2,p=1,keyid=abc")},
		{name: "param missing", phc: withCosts("m=65536,t=2")},
		{name: "leading zero", phc: withCosts("m=065536,t=2,p=1")},
		{name: "plus sign", phc: withCosts("m=+65536,t=2,p=1")},
		{name: "negative", phc: withCosts("m=-1,t=2,p=1")},
		{name: "hex", phc: withCosts("m=0x10000,t=2,p=1")},
		{name: "m above 4 GiB", phc: withCosts("m=4194305,t=2,p=1")},
		{name: "m overflows uint32", phc: withCosts("m=4294967296,t=2,p=1")},
		{name: "m huge", phc: withCosts("m=99999999999999999999,t=2,p=1")},
		{name: "m below 8p", phc: withCosts("m=15,t=1,p=2")},
		{name: "m zero", phc: withCosts("m=0,t=2,p=1")},
		{name: "t zero", phc: withCosts("m=65536,t=0,p=1")},
		{name: "t above 100", phc: withCosts("m=65536,t=101,p=1")},
		{name: "p zero", phc: withCosts("m=65536,t=2,p=0")},
		{name: "p above 255", phc: withCosts("m=65536,t=2,p=256")},
		{name: "salt too short", phc: "$argon2id$v=19$m=65536,t=2,p=1$c29tZQ$" + key},
		{name: "salt too long", phc: "$argon2id$v=19$m=65536,t=2,p=1$" + strings.Repeat("A", 88) + "$" + key},
		{name: "key too short", phc: "$argon2id$v=19$m=65536,t=2,p=1$" + salt + "$" + strings.Repeat("A", 20)},
		{name: "key too long", phc: "$argon2id$v=19$m=65536,t=2,p=1$" + salt + "$" + strings.Repeat("A", 1368)},
		{name: "padded base64", phc: refPHC + "="},
		{name: "url base64", phc: strings.Replace(refPHC, "PJO", "PJ_", 1)},
		{name: "url base64 dash", phc: strings.Replace(refPHC, "PJO", "PJ-", 1)},
		{name: "newline in hash", phc: refPHC[:len(refPHC)-10] + "\n" + refPHC[len(refPHC)-10:]},
		{name: "impossible base64 length", phc: refPHC + "AA"},
		{name: "non-canonical trailing bits", phc: refPHC[:len(refPHC)-1] + "d"},
		{name: "NUL inside", phc: strings.Replace(refPHC, "$c29", "$\x00c29", 1)},
		{name: "invalid UTF-8", phc: refPHC + "\xff"},
		{name: "1 MB", phc: "$argon2id$v=19$m=65536,t=2,p=1$" + salt + "$" + strings.Repeat("A", 1<<20)},
	}
	h := newHasher(t, cheapParams, 1)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, rehash, err := h.Verify(context.Background(), "password", tt.phc)
			if !errors.Is(err, password.ErrMalformedHash) {
				t.Fatalf("Verify(%.60q) error = %v, want ErrMalformedHash", tt.phc, err)
			}
			if ok || rehash {
				t.Errorf("Verify(%.60q) = ok %v, needsRehash %v with an error", tt.phc, ok, rehash)
			}
		})
	}
}

// TestDecodeBounds checks the edges of what a stored hash may ask for are
// accepted (without running the KDF: m=4 GiB is legal, just expensive).
func TestDecodeBounds(t *testing.T) {
	b64 := func(n int) string { return strings.Repeat("A", (n*8+5)/6) }
	tests := []struct {
		name string
		phc  string
		want password.Params
	}{
		{name: "m of 4 GiB", phc: "$argon2id$v=19$m=4194304,t=1,p=1$" + b64(16) + "$" + b64(32),
			want: password.Params{Memory: 4194304, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}},
		{name: "t of 100", phc: "$argon2id$v=19$m=8,t=100,p=1$" + b64(16) + "$" + b64(32),
			want: password.Params{Memory: 8, Time: 100, Threads: 1, SaltLen: 16, KeyLen: 32}},
		{name: "p of 255", phc: "$argon2id$v=19$m=2040,t=1,p=255$" + b64(16) + "$" + b64(32),
			want: password.Params{Memory: 2040, Time: 1, Threads: 255, SaltLen: 16, KeyLen: 32}},
		{name: "shortest salt and key", phc: "$argon2id$v=19$m=8,t=1,p=1$" + b64(8) + "$" + b64(16),
			want: password.Params{Memory: 8, Time: 1, Threads: 1, SaltLen: 8, KeyLen: 16}},
		{name: "longest salt and key", phc: "$argon2id$v=19$m=8,t=1,p=1$" + b64(64) + "$" + b64(1024),
			want: password.Params{Memory: 8, Time: 1, Threads: 1, SaltLen: 64, KeyLen: 1024}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, _, err := password.Decode(tt.phc)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if got != tt.want {
				t.Errorf("Decode params = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestVerifyMalformedDoesNotAllocate checks that absurd parameters and sizes
// are refused before anything proportional to them is allocated.
func TestVerifyMalformedDoesNotAllocate(t *testing.T) {
	h := newHasher(t, cheapParams, 1)
	tests := []struct {
		name string
		phc  string
	}{
		{name: "m above 4 GiB", phc: "$argon2id$v=19$m=4294967295,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"},
		{name: "1 MB key", phc: "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$" + strings.Repeat("A", 1<<20)},
		{name: "2 KB key", phc: "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$" + strings.Repeat("A", 2048)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			allocs := testing.AllocsPerRun(10, func() {
				_, _, err = h.Verify(context.Background(), "password", tt.phc)
			})
			if !errors.Is(err, password.ErrMalformedHash) {
				t.Fatalf("error = %v, want ErrMalformedHash", err)
			}
			// Only the small error values are allocated.
			if allocs > 10 {
				t.Errorf("Verify allocated %v times for a refused hash", allocs)
			}
		})
	}
}

func TestBusy(t *testing.T) {
	tests := []struct {
		name string
		call func(ctx context.Context, h *password.Hasher, phc string) error
	}{
		{name: "Hash", call: func(ctx context.Context, h *password.Hasher, _ string) error {
			_, err := h.Hash(ctx, "correct horse battery staple")
			return err
		}},
		{name: "Verify", call: func(ctx context.Context, h *password.Hasher, phc string) error {
			_, _, err := h.Verify(ctx, "correct horse battery staple", phc)
			return err
		}},
		{name: "VerifyForeign", call: func(ctx context.Context, h *password.Hasher, _ string) error {
			_, err := h.VerifyForeign(ctx, "correct horse", "$2b$04$X28HphLUNwrvqlnvJBEF4uIqC7S6lX6NcqxFl1Amxv7a7YMF9dRt.", password.ForeignOptions{})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			const slots = 2
			h := newHasher(t, cheapParams, slots)
			phc := mustHash(t, h, "correct horse battery staple")
			release := password.HoldSlots(h, slots)

			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- tt.call(ctx, h, phc) }()
			select {
			case err := <-done:
				t.Fatalf("returned %v while every slot was held", err)
			case <-time.After(50 * time.Millisecond):
			}
			cancel()
			err := <-done
			if !errors.Is(err, password.ErrBusy) || !errors.Is(err, context.Canceled) {
				t.Fatalf("error = %v, want ErrBusy wrapping context.Canceled", err)
			}

			release()
			if err := tt.call(context.Background(), h, phc); err != nil {
				t.Fatalf("after the slots were freed: %v", err)
			}
		})
	}
}

func TestDummyHash(t *testing.T) {
	h := newHasher(t, cheapParams, 1)
	d := h.DummyHash()
	if d != h.DummyHash() {
		t.Fatal("DummyHash changed between calls")
	}
	tests := []struct {
		name     string
		password string
	}{
		{name: "empty", password: ""},
		{name: "typical", password: "correct horse battery staple"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, rehash, err := h.Verify(context.Background(), tt.password, d)
			if err != nil || ok || rehash {
				t.Fatalf("Verify(dummy) = %v, %v, %v; want false, false, nil", ok, rehash, err)
			}
		})
	}
	if !phcRE.MatchString(newHasher(t, password.DefaultParams, 1).DummyHash()) {
		t.Error("DummyHash with DefaultParams does not have the PHC shape")
	}
}

func TestNewHasher(t *testing.T) {
	tests := []struct {
		name      string
		params    password.Params
		wantPanic bool
	}{
		{name: "zero params mean default", params: password.Params{}},
		{name: "default", params: password.DefaultParams},
		{name: "cheap", params: cheapParams},
		{name: "time zero", params: password.Params{Memory: 64, Time: 0, Threads: 1, SaltLen: 16, KeyLen: 32}, wantPanic: true},
		{name: "threads zero", params: password.Params{Memory: 64, Time: 1, Threads: 0, SaltLen: 16, KeyLen: 32}, wantPanic: true},
		{name: "short salt", params: password.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 4, KeyLen: 32}, wantPanic: true},
		{name: "short key", params: password.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 8}, wantPanic: true},
		{name: "memory above 4 GiB", params: password.Params{Memory: 4<<20 + 1, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}, wantPanic: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.params.Validate(); (err != nil) != tt.wantPanic && tt.params != (password.Params{}) {
				t.Errorf("Validate() = %v, want error %v", err, tt.wantPanic)
			}
			defer func() {
				if r := recover(); (r != nil) != tt.wantPanic {
					t.Errorf("NewHasher panic = %v, want panic %v", r, tt.wantPanic)
				}
			}()
			h := password.NewHasher(tt.params, 1)
			if tt.params == (password.Params{}) && h.Params() != password.DefaultParams {
				t.Errorf("Params() = %+v, want DefaultParams", h.Params())
			}
		})
	}
}

func FuzzVerify(f *testing.F) {
	h := newHasher(f, cheapParams, 1)
	f.Add("password", refPHC)
	f.Add("password", mustHash(f, h, "password"))
	f.Add("", "")
	f.Add("x", "$argon2id$v=19$m=64,t=1,p=1$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA")
	f.Add("x", "$argon2id$v=19$m=4194305,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc")
	f.Add("x", "$argon2id$v=19$m=8,t=1,p=1$$")
	f.Add("x", "$argon2id$v=19$m=,t=,p=$c29tZXNhbHQ$c29tZXNhbHQ")
	f.Add("\x00", "$argon2id$v=19$m=16,t=1,p=2$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc")
	f.Fuzz(func(t *testing.T, pw, phc string) {
		p, salt, key, err := password.Decode(phc)
		if err == nil {
			// One spelling per hash: a string that parses is canonical.
			if again := password.Encode(p, salt, key); again != phc {
				t.Fatalf("Decode accepted non-canonical %q (canonical %q)", phc, again)
			}
			// Valid but costly parameters are legal; skip the KDF to keep
			// the fuzzer fast. Parsing, the part under attack, has run.
			if p.Memory > 1024 || p.Time > 2 || p.Threads > 4 {
				t.Skip("valid but costly parameters")
			}
		} else if !errors.Is(err, password.ErrMalformedHash) {
			t.Fatalf("Decode error %v does not wrap ErrMalformedHash", err)
		}
		ok, rehash, err := h.Verify(context.Background(), pw, phc)
		if err != nil && (ok || rehash) {
			t.Fatalf("Verify = %v, %v with error %v", ok, rehash, err)
		}
		if rehash && !ok {
			t.Fatal("needsRehash without ok")
		}
	})
}

func BenchmarkHash(b *testing.B) {
	h := newHasher(b, password.DefaultParams, 1)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := h.Hash(ctx, "correct horse battery staple"); err != nil {
			b.Fatal(err)
		}
	}
}
