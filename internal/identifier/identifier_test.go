package identifier_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/tessera-id/tessera/internal/identifier"
)

type normalizeCase struct {
	name    string
	in      string
	want    string // when wantErr is ""
	wantErr string // the exact human sentence
}

func runNormalize(t *testing.T, normalize func(string) (string, error), tests []normalizeCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := normalize(tt.in)
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("(%.40q) = %q, want error %q", tt.in, got, tt.wantErr)
				}
				if !errors.Is(err, identifier.ErrInvalid) {
					t.Errorf("(%.40q) error %v does not wrap ErrInvalid", tt.in, err)
				}
				if err.Error() != tt.wantErr {
					t.Errorf("(%.40q) error = %q, want %q", tt.in, err, tt.wantErr)
				}
				if got != "" {
					t.Errorf("(%.40q) returned %q with an error", tt.in, got)
				}
				return
			}
			if err != nil {
				t.Fatalf("(%.40q) error = %v, want %q", tt.in, err, tt.want)
			}
			if got != tt.want {
				t.Errorf("(%.40q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// invisibles are the zero-width and format characters SECURITY.md has in
// mind, plus other default-ignorable ones that render as nothing.
var invisibles = []struct {
	name string
	r    string
}{
	{name: "U+200B zero width space", r: "\u200b"},
	{name: "U+200C zero width non-joiner", r: "\u200c"},
	{name: "U+200D zero width joiner", r: "\u200d"},
	{name: "U+2060 word joiner", r: "\u2060"},
	{name: "U+FEFF byte order mark", r: "\ufeff"},
	{name: "U+00AD soft hyphen", r: "\u00ad"},
	{name: "U+202E right-to-left override", r: "\u202e"},
	{name: "U+3164 Hangul filler", r: "\u3164"},
	{name: "U+034F combining grapheme joiner", r: "\u034f"},
	{name: "U+FE0F variation selector", r: "\ufe0f"},
	{name: "U+E0061 tag letter", r: "\U000E0061"},
}

func TestNormalizeUsername(t *testing.T) {
	tests := []normalizeCase{
		{name: "Admin", in: "Admin", want: "admin"},
		{name: "fullwidth ＡＤＭＩＮ", in: "ＡＤＭＩＮ", want: "admin"},
		{name: "admin", in: "admin", want: "admin"},
		{name: "mathematical bold 𝐀𝐃𝐌𝐈𝐍", in: "𝐀𝐃𝐌𝐈𝐍", want: "admin"},
		{name: "Kelvin sign folds to k", in: "\u212Aate", want: "kate"},
		{name: "leading and trailing spaces trimmed", in: "  \t Admin \n\u3000", want: "admin"},
		{name: "ß folds to ss", in: "Straße", want: "strasse"},
		{name: "capital ẞ folds to ss", in: "STRAẞE", want: "strasse"},
		{name: "ss stays ss", in: "STRASSE", want: "strasse"},
		{name: "final sigma folds to sigma", in: "ΟΔΥΣΣΕΥΣ", want: "οδυσσευσ"},
		{name: "decomposed é composes", in: "Jose\u0301", want: "josé"},
		{name: "Turkish İ keeps its dot as a mark", in: "İnan", want: "i\u0307nan"},
		{name: "Hindi vowel signs are marks", in: "राम", want: "राम"},
		{name: "Cherokee capital", in: "\u13A0\u13F0", want: "\u13A0\u13F0"},
		{name: "Cherokee small folds to capital", in: "\uAB70\u13F8", want: "\u13A0\u13F0"},
		{name: "Django punctuation", in: "A.b@c+d-e_F", want: "a.b@c+d-e_f"},
		{name: "digits from other scripts", in: "user٣", want: "user٣"},
		{name: "fullwidth digits", in: "user１２", want: "user12"},
		{name: "150 characters", in: strings.Repeat("a", 150), want: strings.Repeat("a", 150)},
		{name: "151 characters", in: strings.Repeat("a", 151), wantErr: "must be at most 150 characters"},
		{name: "150 CJK characters", in: strings.Repeat("漢", 150), want: strings.Repeat("漢", 150)},
		{name: "10,000 characters", in: strings.Repeat("a", 10000), wantErr: "must be at most 150 characters"},
		{name: "1,000 characters under the input cap", in: strings.Repeat("a", 1000), wantErr: "must be at most 150 characters"},
		{name: "SQL metacharacters", in: "' OR 1=1--", wantErr: "must contain only letters, digits and the characters . @ + - _"},
		{name: "quote", in: "o'brien", wantErr: "must contain only letters, digits and the characters . @ + - _"},
		{name: "inner space", in: "ad min", wantErr: "must contain only letters, digits and the characters . @ + - _"},
		{name: "inner no-break space", in: "ad\u00a0min", wantErr: "must contain only letters, digits and the characters . @ + - _"},
		{name: "path traversal", in: "../../etc/passwd", wantErr: "must contain only letters, digits and the characters . @ + - _"},
		{name: "emoji", in: "admin😀", wantErr: "must contain only letters, digits and the characters . @ + - _"},
		{name: "leading combining mark", in: "\u0301admin", wantErr: "must contain only letters, digits and the characters . @ + - _"},
		{name: "mark after punctuation", in: "admin.\u0301", wantErr: "must contain only letters, digits and the characters . @ + - _"},
		{name: "enclosing mark", in: "a\u20dd", wantErr: "must contain only letters, digits and the characters . @ + - _"},
		{name: "empty", in: "", wantErr: "must not be empty"},
		{name: "only spaces", in: " \t\u3000 ", wantErr: "must not be empty"},
		{name: "inner tab", in: "ad\tmin", wantErr: "must not contain control characters"},
		{name: "NUL", in: "admin\x00", wantErr: "must not contain control characters"},
		{name: "DEL", in: "admin\x7f", wantErr: "must not contain control characters"},
		{name: "invalid UTF-8", in: "admin\xff", wantErr: "must be valid UTF-8 text"},
		{name: "zero width space inside", in: "ad\u200bmin", wantErr: "must not contain invisible characters"},
		{name: "BOM in front", in: "\ufeffadmin", wantErr: "must not contain invisible characters"},
	}
	for _, inv := range invisibles {
		tests = append(tests, normalizeCase{name: inv.name, in: "ad" + inv.r + "min", wantErr: "must not contain invisible characters"})
		tests = append(tests, normalizeCase{name: inv.name + " at the end", in: "admin" + inv.r, wantErr: "must not contain invisible characters"})
	}
	runNormalize(t, identifier.NormalizeUsername, tests)
}

func TestUsernamesCollide(t *testing.T) {
	tests := []struct {
		name  string
		forms []string
	}{
		{name: "admin", forms: []string{"Admin", "ＡＤＭＩＮ", "admin", " ADMIN ", "𝖆𝖉𝖒𝖎𝖓"}},
		{name: "strasse", forms: []string{"straße", "STRASSE", "STRAẞE", "Strasse"}},
		{name: "josé", forms: []string{"José", "JOSÉ", "Jose\u0301", "JOSE\u0301"}},
		{name: "Cherokee", forms: []string{"\u13A0\u13A1", "\uAB70\uAB71", "\u13A0\uAB71"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			first, err := identifier.NormalizeUsername(tt.forms[0])
			if err != nil {
				t.Fatalf("%q: %v", tt.forms[0], err)
			}
			for _, f := range tt.forms[1:] {
				got, err := identifier.NormalizeUsername(f)
				if err != nil || got != first {
					t.Errorf("%q -> %q, %v; want %q like %q", f, got, err, first, tt.forms[0])
				}
			}
		})
	}
}

func TestNormalizeEmail(t *testing.T) {
	const invalid = "must be a valid e-mail address"
	tests := []normalizeCase{
		{name: "plain", in: "alice@example.com", want: "alice@example.com"},
		{name: "mixed case folded, local part too", in: "Alice.Smith@Example.COM", want: "alice.smith@example.com"},
		{name: "fullwidth", in: "ＡＬＩＣＥ＠ＥＸＡＭＰＬＥ．ＣＯＭ", want: "alice@example.com"},
		{name: "leading and trailing spaces trimmed", in: " \t alice@example.com \r\n", want: "alice@example.com"},
		{name: "plus tag kept", in: "alice+tessera@example.com", want: "alice+tessera@example.com"},
		{name: "apostrophe allowed", in: "O'Brien@example.ie", want: "o'brien@example.ie"},
		{name: "ß folds to ss", in: "Straße@example.de", want: "strasse@example.de"},
		{name: "ẞ folds to ss, domain too", in: "INFO@STRAẞE.DE", want: "info@strasse.de"},
		{name: "internationalised", in: "Δοκιμή@Παράδειγμα.δοκιμή", want: "δοκιμή@παράδειγμα.δοκιμή"},
		{name: "IDN with marks", in: "user@उदाहरण.भारत", want: "user@उदाहरण.भारत"},
		{name: "punycode domain", in: "user@xn--bcher-kva.example", want: "user@xn--bcher-kva.example"},
		{name: "subdomains", in: "a@mail.eu.example.co.uk", want: "a@mail.eu.example.co.uk"},
		{name: "without @", in: "alice.example.com", wantErr: invalid},
		{name: "two @", in: "alice@bob@example.com", wantErr: invalid},
		{name: "fullwidth second @", in: "alice@bob＠example.com", wantErr: invalid},
		{name: "empty", in: "", wantErr: "must not be empty"},
		{name: "only spaces", in: "   ", wantErr: "must not be empty"},
		{name: "empty local part", in: "@example.com", wantErr: invalid},
		{name: "empty domain", in: "alice@", wantErr: invalid},
		{name: "domain without dot", in: "alice@localhost", wantErr: invalid},
		{name: "domain with empty label", in: "alice@example..com", wantErr: invalid},
		{name: "domain with trailing dot", in: "alice@example.com.", wantErr: invalid},
		{name: "domain with leading dot", in: "alice@.example.com", wantErr: invalid},
		{name: "label starting with hyphen", in: "alice@-example.com", wantErr: invalid},
		{name: "label ending with hyphen", in: "alice@example-.com", wantErr: invalid},
		{name: "underscore in domain", in: "alice@ex_ample.com", wantErr: invalid},
		{name: "space in domain", in: "alice@exa mple.com", wantErr: invalid},
		{name: "space in local part", in: "ali ce@example.com", wantErr: invalid},
		{name: "ideographic space inside", in: "ali\u3000ce@example.com", wantErr: invalid},
		{name: "IPv4 domain", in: "alice@127.0.0.1", wantErr: invalid},
		{name: "address literal", in: "alice@[127.0.0.1]", wantErr: invalid},
		{name: "quoted local part", in: `"alice smith"@example.com`, wantErr: invalid},
		{name: "angle brackets", in: "<alice@example.com>", wantErr: invalid},
		{name: "display name", in: "Alice <alice@example.com>", wantErr: invalid},
		{name: "comma list", in: "alice@example.com,bob@example.com", wantErr: invalid},
		{name: "header injection", in: "alice@example.com\r\nBcc: eve@example.com", wantErr: "must not contain control characters"},
		{name: "emoji domain", in: "alice@😀.com", wantErr: invalid},
		{name: "label of 63", in: "a@" + strings.Repeat("b", 63) + ".com", want: "a@" + strings.Repeat("b", 63) + ".com"},
		{name: "label of 64", in: "a@" + strings.Repeat("b", 64) + ".com", wantErr: invalid},
		{name: "local part of 64", in: strings.Repeat("a", 64) + "@example.com", want: strings.Repeat("a", 64) + "@example.com"},
		{name: "local part of 65", in: strings.Repeat("a", 65) + "@example.com", wantErr: "must have at most 64 characters before the @"},
		{name: "254 in all", in: longEmail(254), want: longEmail(254)},
		{name: "255 in all", in: longEmail(255), wantErr: "must be at most 254 characters"},
		{name: "10,000 characters", in: strings.Repeat("a", 10000) + "@example.com", wantErr: "must be at most 254 characters"},
		{name: "NUL", in: "alice\x00@example.com", wantErr: "must not contain control characters"},
		{name: "invalid UTF-8", in: "alice\xff@example.com", wantErr: "must be valid UTF-8 text"},
		{name: "private use character", in: "alice\ue000@example.com", wantErr: invalid},
	}
	for _, inv := range invisibles {
		tests = append(tests, normalizeCase{name: inv.name + " in local part", in: "ali" + inv.r + "ce@example.com", wantErr: "must not contain invisible characters"})
		tests = append(tests, normalizeCase{name: inv.name + " in domain", in: "alice@exam" + inv.r + "ple.com", wantErr: "must not contain invisible characters"})
		tests = append(tests, normalizeCase{name: inv.name + " in front", in: inv.r + "alice@example.com", wantErr: "must not contain invisible characters"})
	}
	for _, n := range []int{254, 255} {
		if got := len(longEmail(n)); got != n {
			t.Fatalf("len(longEmail(%d)) = %d", n, got)
		}
	}
	runNormalize(t, identifier.NormalizeEmail, tests)
}

// longEmail returns an address of exactly n bytes with labels of at most
// 63 characters.
func longEmail(n int) string {
	local := strings.Repeat("l", 64)
	domain := "example.com"
	for len(local)+1+len(domain) < n {
		room := n - (len(local) + 1 + len(domain))
		label := min(room-1, 63)
		if label < 1 {
			// one byte left: lengthen the first label instead.
			domain = "x" + domain
			continue
		}
		domain = strings.Repeat("d", label) + "." + domain
	}
	return local + "@" + domain
}

func TestErrorsDoNotEchoInput(t *testing.T) {
	tests := []struct {
		name string
		fn   func(string) (string, error)
		in   string
	}{
		{name: "username", fn: identifier.NormalizeUsername, in: "<script>secret</script>"},
		{name: "email", fn: identifier.NormalizeEmail, in: "secret<script>@example.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.fn(tt.in)
			if err == nil || strings.Contains(err.Error(), "secret") {
				t.Fatalf("error = %v; want one that does not repeat the input", err)
			}
		})
	}
}

func FuzzNormalizeUsername(f *testing.F) {
	for _, s := range []string{"Admin", "ＡＤＭＩＮ", "ad\u200bmin", "Straße", "İnan", "\u0345", "a\u0345\u0301", "\uAB70", "राम", "' OR 1=1--", "ﷺ", "ǅ", "ﬃ", " x "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkIdempotent(t, identifier.NormalizeUsername, s)
	})
}

func FuzzNormalizeEmail(f *testing.F) {
	for _, s := range []string{"alice@example.com", "ＡＬＩＣＥ＠ＥＸＡＭＰＬＥ．ＣＯＭ", "Straße@STRAẞE.de", "a@b", "ΐ@ᾈ.gr", "\uAB70@\u13F8.com", "x@उदाहरण.भारत"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkIdempotent(t, identifier.NormalizeEmail, s)
	})
}

func checkIdempotent(t *testing.T, normalize func(string) (string, error), s string) {
	t.Helper()
	once, err := normalize(s)
	if err != nil {
		if !errors.Is(err, identifier.ErrInvalid) {
			t.Fatalf("(%q) error %v does not wrap ErrInvalid", s, err)
		}
		return
	}
	twice, err := normalize(once)
	if err != nil || twice != once {
		t.Fatalf("not idempotent: %q -> %q -> %q, %v", s, once, twice, err)
	}
}
