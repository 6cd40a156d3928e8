package jwtverify

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"unicode/utf8"
)

// plainDocs have the plain form decodePlain reads in one pass: the
// claims Tessera mints.
var plainDocs = []string{
	`{"iss":"https://id.example.com","sub":"0c7e3f7a-4a4b-4f3e-9d7a-3b2d8f9e1a2b","aud":["tessera"],"exp":1900000000,"iat":1800000000,"jti":"b6a1c3e2-1d2f-4e3a-8b7c-6d5e4f3a2b1c","client_id":"web","sid":"a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d","roles":["admin"],"amr":["pwd","otp","mfa"]}`,
	`{"iss":"https://id.example.com","sub":"u1","aud":"api","exp":1900000000,"nbf":1800000000,"iat":1800000000,"jti":"j","client_id":"web","sid":"s","scope":"openid profile"}`,
	"{ \"iss\" : \"é日本\" ,\n\t\"exp\":1.5e9 }",
	`{}`,
}

// claimDocs are payloads that take every path of the decoders in
// claims_decode.go: plain strings, escapes, whitespace, repeated and
// differently cased keys, unknown keys, null, empty arrays, wrong types,
// every part of a number, fractions, negative and out-of-range dates,
// trailing bytes.
var claimDocs = []string{
	`{"aud":"api"}`,
	`{"aud":["a","b"]}`,
	`{"aud":[ "a" , "b" ] }`,
	`{"aud":["a\"b"]}`,
	`{"aud":"\u0061pi"}`,
	`{"aud":["é","日本"]}`,
	`{"aud":[]}`,
	`{"aud":null}`,
	`{"aud":["a"],"aud":[]}`,
	`{"aud":["a"],"aud":null}`,
	`{"aud":["a"],"AUD":"b"}`,
	`{"aud":["a",1]}`,
	`{"aud":1}`,
	`{"aud":{}}`,
	`{"aud":[null]}`,
	`{"aud":[["a"]]}`,
	`{"exp":1.5e9,"nbf":-1,"iat":0}`,
	`{"exp":1900000000.999999999}`,
	`{"exp":1e400}`,
	`{"exp":-0}`,
	`{"exp":null}`,
	`{"exp":1,"exp":2}`,
	`{"exp":"1900000000"}`,
	`{"exp":true}`,
	`{"exp":01}`, `{"exp":1.}`, `{"exp":-}`, `{"exp":1e+}`, `{"exp":.5}`, `{"exp":1E-3}`, `{"exp":-0.0e0}`,
	`{"iss":"a","iss":"b"}`, `{"iss":"a",}`, `{"iss":"a"}x`, `{"iss":"a"} `, `{"ISS":"a"}`, `{"Iss":"a","iss":"b"}`,
	`{"iss":"a\u0000"}`, `{"iss":"a\/b"}`, `{"iss":null}`, `{"iss":1}`, `{"iss":"a"`, `{"iss" "a"}`,
	`{"roles":"admin"}`, `{"roles":[]}`, `{"roles":[ ]}`, `{"roles":["a",]}`, `{"roles":["a"]]}`, `{"amr":["pwd"],"amr":["otp"]}`,
	`{"email":"a@example.com","sub":"u"}`, `{"client_id":"web","clientid":"x"}`,
	`{ }`, `[]`, `"x"`, `null`, `1`, "{\"iss\":\"\xff\"}", "{\"iss\":\"a\x01\"}",
}

// FuzzClaimDecoders: a payload decodes, through Verify's own decoders,
// exactly as through encoding/json and golang-jwt's, except that a date
// spelled other than as a number, or beyond int64 seconds, is refused;
// and what the one-pass decoder takes, encoding/json takes and decodes
// the same.
func FuzzClaimDecoders(f *testing.F) {
	for _, d := range append(plainDocs, claimDocs...) {
		f.Add(d)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		// checkSpelling refuses a payload that is not UTF-8 before any
		// decoding.
		if !utf8.ValidString(doc) {
			return
		}
		compareClaimDecoders(t, doc)
	})
}

func TestClaimDecoders(t *testing.T) {
	for _, doc := range append(plainDocs, claimDocs...) {
		compareClaimDecoders(t, doc)
	}
}

// TestPlainClaimsFastPath: the claims Tessera mints take the one-pass
// decoder, so Verify does not quietly fall back to reflection.
func TestPlainClaimsFastPath(t *testing.T) {
	for _, doc := range plainDocs {
		var p payload
		if !p.decodePlain([]byte(doc)) {
			t.Errorf("%s: not read in one pass", doc)
		}
	}
}

func TestClaimDecodersRefuseDateStrings(t *testing.T) {
	for _, doc := range []string{`{"exp":"1900000000"}`, `{"nbf":"1"}`, `{"iat":true}`, `{"exp":[1]}`} {
		if _, err := decodeClaims([]byte(doc)); !errors.Is(err, errDateNotNumber) {
			t.Errorf("%s: got %v, want errDateNotNumber", doc, err)
		}
	}
	if _, err := decodeClaims([]byte(`{"exp":1e400}`)); !errors.Is(err, ErrMalformed) {
		t.Errorf("exp 1e400: got %v, want ErrMalformed", err)
	}
}

func TestPlainStringsFastPath(t *testing.T) {
	for doc, want := range map[string]audience{
		`"api"`:                {"api"},
		`["a","b"]`:            {"a", "b"},
		"[\t\"a\" ,\r\n\"b\"]": {"a", "b"},
	} {
		got, ok := plainStrings([]byte(doc))
		if !ok || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %q %v, want %q", doc, got, ok, want)
		}
	}
	for _, doc := range []string{`null`, `[]`, `["a\"b"]`, `["a",1]`, `"a"x`, `["a"`, `["a"]]`, `[`, `"`, ``} {
		if got, ok := plainStrings([]byte(doc)); ok {
			t.Errorf("%s: fast path took it as %q", doc, got)
		}
	}
}

func compareClaimDecoders(t *testing.T, doc string) {
	t.Helper()
	// A payload the one-pass decoder takes decodes the same through
	// encoding/json alone.
	var fast, slow payload
	if fast.decodePlain([]byte(doc)) {
		if err := json.Unmarshal([]byte(doc), (*payloadFields)(&slow)); err != nil {
			t.Fatalf("%s: one pass took what encoding/json refuses: %v", doc, err)
		}
		if !reflect.DeepEqual(fast, slow) {
			t.Fatalf("%s:\none pass      %+v\nencoding/json %+v", doc, fast, slow)
		}
	}
	var ref Claims
	ours, err := decodeClaims([]byte(doc))
	refErr := json.Unmarshal([]byte(doc), &ref)
	if errors.Is(err, errDateNotNumber) || errors.Is(err, errDateRange) {
		return
	}
	if (err == nil) != (refErr == nil) {
		t.Fatalf("%s: ours %v, golang-jwt's %v", doc, err, refErr)
	}
	if err != nil {
		return
	}
	if got := ours.claims(); !reflect.DeepEqual(*got, ref) {
		t.Fatalf("%s:\nours        %+v\ngolang-jwt's %+v", doc, *got, ref)
	}
	aud, _ := ours.GetAudience()
	if !reflect.DeepEqual(aud, ref.Audience) {
		t.Fatalf("%s: GetAudience %q, want %q", doc, aud, ref.Audience)
	}
}
