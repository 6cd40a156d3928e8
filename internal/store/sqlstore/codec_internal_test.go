package sqlstore

import (
	"encoding/json"
	"slices"
	"testing"
)

var listInputs = []string{
	`[]`, `["pwd"]`, `["pwd","otp"]`, `["a","b","c"]`, `[""]`, `["",""]`, `["é"]`,
	`[ "pwd" ]`, `["pwd", "otp"]`, `["a\"b"]`, `["a\\b"]`, `["\u0041"]`, `[1]`, `["a",]`, `[,"a"]`,
	`["a"`, `"a"]`, `[`, ``, `null`, `{}`, `["a""b"]`, `["a"]x`, "[\"a\tb\"]", `["a",1]`,
	"[\"0\xca\"]", // invalid UTF-8: encoding/json replaces the byte
}

// TestDecodeList checks decodeList against encoding/json on lists it
// splits itself and on those it hands over.
func TestDecodeList(t *testing.T) {
	for _, in := range listInputs {
		checkDecodeList(t, in)
	}
}

// FuzzDecodeList: decodeList answers as encoding/json does, for any text.
func FuzzDecodeList(f *testing.F) {
	for _, in := range listInputs {
		f.Add(in)
	}
	f.Fuzz(checkDecodeList)
}

func checkDecodeList(t *testing.T, in string) {
	got, err := decodeList(in)
	var want []string
	wantErr := json.Unmarshal([]byte(in), &want)
	if len(want) == 0 {
		want = nil
	}
	if (err != nil) != (wantErr != nil) {
		t.Fatalf("decodeList(%q) error %v, encoding/json says %v", in, err, wantErr)
	}
	if err == nil && !slices.Equal(got, want) {
		t.Fatalf("decodeList(%q) = %q, want %q", in, got, want)
	}
	if err == nil && (got == nil) != (want == nil) {
		t.Fatalf("decodeList(%q) = %#v, want %#v", in, got, want)
	}
}
