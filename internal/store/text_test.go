package store_test

import (
	"testing"

	"github.com/tessera-id/tessera/internal/store"
)

// TestIsText: valid UTF-8 without a NUL is text, whatever its characters;
// a stray byte, a cut-off sequence, an encoded surrogate or a NUL is not.
func TestIsText(t *testing.T) {
	for s, want := range map[string]bool{
		"":             true,
		"web":          true,
		"ünal@ex.io":   true,
		"tab\there":    true,
		"tool\xff":     false,
		"\xc3":         false,
		"\xed\xa0\x80": false,
		"tool\x00":     false,
		"\x00":         false,
	} {
		if got := store.IsText(s); got != want {
			t.Errorf("IsText(%q) = %v, want %v", s, got, want)
		}
	}
}
