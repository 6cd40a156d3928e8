package token_test

import (
	"bytes"
	"testing"

	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/token"
)

// FuzzParseRefresh: decoding never panics; anything it accepts is exactly
// a token the Refresher would derive for the decoded fields, and its MAC
// only checks against the nonce it was made with.
func FuzzParseRefresh(f *testing.F) {
	secret := bytes.Repeat([]byte{7}, 32)
	r := token.NewRefresher(secret)
	nonce := bytes.Repeat([]byte{9}, token.NonceSize)
	f.Add(r.First(uuid.MustParse("01a22267-90c2-71fd-b38d-9feae3025de0"), 1, nonce).String())
	f.Add("tsr_")
	f.Add("tsr_AAAA")
	f.Add("TSR_" + r.First(uuid.Nil, 5, nonce).String()[4:])
	f.Fuzz(func(t *testing.T, raw string) {
		rt, err := token.Parse(raw)
		if err != nil {
			return
		}
		if rt.Generation < 0 {
			t.Fatalf("negative generation accepted from %q", raw)
		}
		if r.Check(rt, nonce) && r.First(rt.SessionID, rt.Generation, nonce).String() != raw {
			t.Fatalf("%q checks but is not the canonical token", raw)
		}
		if r.Check(rt, bytes.Repeat([]byte{1}, token.NonceSize)) {
			t.Fatalf("%q checks against a foreign nonce", raw)
		}
	})
}
