package password_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/tessera-id/tessera/internal/password"
)

// chars returns an n-character password that is on no list.
func chars(n int) string {
	const alphabet = "tessera-Kx7#vQ2!mZp9"
	var b strings.Builder
	for i := range n {
		b.WriteByte(alphabet[i%len(alphabet)])
	}
	return b.String()
}

func TestPolicyCheck(t *testing.T) {
	// Rows below rely on these facts about the embedded list; fail loudly if
	// the list changes rather than assert the wrong thing.
	for _, pw := range []string{"password1234", "baseball", "qwertyqwerty", "leavemealone"} {
		if !password.IsCommon(pw) {
			t.Fatalf("%q is expected to be on common-passwords.txt", pw)
		}
	}
	for _, n := range []int{8, 11, 12, 64, 128, 129} {
		if password.IsCommon(chars(n)) {
			t.Fatalf("chars(%d) is unexpectedly on the list", n)
		}
	}

	tests := []struct {
		name     string
		policy   password.Policy
		password string
		want     []string
	}{
		{name: "11 chars refused at default min 12", password: chars(11), want: []string{"must be at least 12 characters"}},
		{name: "12 chars accepted", password: chars(12)},
		{name: "64 chars accepted", password: chars(64)},
		{name: "128 chars accepted", password: chars(128)},
		{name: "129 chars refused", password: chars(129), want: []string{"must be at most 128 characters"}},
		{name: "MinLength 4 behaves as 8: 7 refused", policy: password.Policy{MinLength: 4}, password: chars(7), want: []string{"must be at least 8 characters"}},
		{name: "MinLength 4 behaves as 8: 8 accepted", policy: password.Policy{MinLength: 4}, password: chars(8)},
		{name: "MinLength 16 honoured", policy: password.Policy{MinLength: 16}, password: chars(15), want: []string{"must be at least 16 characters"}},
		{name: "MaxLength 32 still accepts 64", policy: password.Policy{MaxLength: 32}, password: chars(64)},
		{name: "MaxLength 1000 still refuses 129", policy: password.Policy{MaxLength: 1000}, password: chars(129), want: []string{"must be at most 128 characters"}},
		{name: "password1234 is listed", password: "password1234", want: []string{"is too common"}},
		{name: "listed password in upper case", password: "QWERTYQWERTY", want: []string{"is too common"}},
		{name: "listed password in mixed case", password: "LeaveMeAlone", want: []string{"is too common"}},
		{name: "BASEBALL at MinLength 8", policy: password.Policy{MinLength: 8}, password: "BASEBALL", want: []string{"is too common"}},
		{name: "BASEBALL at default is short and common", password: "BASEBALL", want: []string{"must be at least 12 characters", "is too common"}},
		{name: "listed password with a space is not listed", password: "password1234 "},
		{name: "12 emoji counted as 12 characters", password: strings.Repeat("😀", 12)},
		{name: "11 emoji counted as 11 characters", password: strings.Repeat("😀", 11), want: []string{"must be at least 12 characters"}},
		{name: "128 CJK characters (384 bytes) accepted", password: strings.Repeat("密", 128)},
		{name: "129 CJK characters refused", password: strings.Repeat("密", 129), want: []string{"must be at most 128 characters"}},
		{name: "spaces inside kept and counted", password: "  a b c d e f  "},
		{name: "composition rules do not exist", password: "aaaaaaaaaaab"},
		{name: "empty", password: "", want: []string{"must not be empty or only spaces"}},
		{name: "only whitespace", password: " \t\u3000\u00a0            ", want: []string{"must not be empty or only spaces"}},
		{name: "NUL refused", password: chars(12) + "\x00", want: []string{"must not contain a NUL character"}},
		{name: "invalid UTF-8 refused", password: chars(12) + "\xff", want: []string{"must be valid UTF-8 text"}},
		{name: "lone surrogate encoding refused", password: chars(12) + "\xed\xa0\x80", want: []string{"must be valid UTF-8 text"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.policy.Check(tt.password)
			if !slices.Equal(got, tt.want) {
				t.Errorf("Check(%.40q) = %q, want %q", tt.password, got, tt.want)
			}
		})
	}
}

func TestPolicyBounds(t *testing.T) {
	tests := []struct {
		name             string
		policy           password.Policy
		wantMin, wantMax int
	}{
		{name: "zero policy", wantMin: 12, wantMax: 128},
		{name: "min below floor", policy: password.Policy{MinLength: 4}, wantMin: 8, wantMax: 128},
		{name: "negative min", policy: password.Policy{MinLength: -1}, wantMin: 8, wantMax: 128},
		{name: "min 20", policy: password.Policy{MinLength: 20}, wantMin: 20, wantMax: 128},
		{name: "max below 64", policy: password.Policy{MaxLength: 10}, wantMin: 12, wantMax: 64},
		{name: "max above 128", policy: password.Policy{MaxLength: 4096}, wantMin: 12, wantMax: 128},
		{name: "min above max", policy: password.Policy{MinLength: 100, MaxLength: 80}, wantMin: 80, wantMax: 80},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gotMin, gotMax := tt.policy.Bounds()
			if gotMin != tt.wantMin || gotMax != tt.wantMax {
				t.Errorf("Bounds() = %d, %d; want %d, %d", gotMin, gotMax, tt.wantMin, tt.wantMax)
			}
		})
	}
}

func TestIsCommon(t *testing.T) {
	tests := []struct {
		name string
		pw   string
		want bool
	}{
		{name: "first line", pw: "password", want: true},
		{name: "upper case", pw: "PASSWORD", want: true},
		{name: "listed with capitals, asked in lower case", pw: "usuckballz1", want: true},
		{name: "last line", pw: "12081962", want: true},
		{name: "not listed", pw: chars(20)},
		{name: "empty", pw: ""},
		{name: "prefix of a listed one", pw: "passwor"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := password.IsCommon(tt.pw); got != tt.want {
				t.Errorf("IsCommon(%q) = %v, want %v", tt.pw, got, tt.want)
			}
		})
	}
}
