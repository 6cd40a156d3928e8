package token

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/tessera-id/tessera/pkg/jwtverify"
)

func date(t time.Time) *jwt.NumericDate { return jwt.NewNumericDate(t) }

// checkSameAsJSON fails unless appendAccessClaims writes exactly what
// encoding/json does for c.
func checkSameAsJSON(t *testing.T, c *jwtverify.Claims) {
	t.Helper()
	want, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	got, ok := appendAccessClaims([]byte("prefix"), c)
	if !ok {
		t.Fatal("appendAccessClaims declined the default settings")
	}
	if string(got) != "prefix"+string(want) {
		t.Fatalf("appendAccessClaims:\n got %s\nwant prefix%s", got, want)
	}
}

func TestAppendAccessClaims(t *testing.T) {
	now := time.Unix(1796070000, 0)
	tests := []struct {
		name string
		c    jwtverify.Claims
	}{
		{"zero", jwtverify.Claims{}},
		{"an access token", jwtverify.Claims{
			RegisteredClaims: jwt.RegisteredClaims{Issuer: "https://id.example.com", Subject: "019ad1f2-8c3e-7b4a-9f00-0123456789ab",
				Audience: jwt.ClaimStrings{"api"}, ExpiresAt: date(now.Add(5 * time.Minute)), NotBefore: date(now), IssuedAt: date(now),
				ID: "q3Jx-u7w_Yk0m9sZ2bA1cw"},
			ClientID: "default", SessionID: "019ad1f2-8c3e-7b4a-9f00-0123456789ac", Roles: []string{"admin", "staff"},
			Scope: "openid profile", AMR: []string{"pwd", "otp", "mfa"}}},
		{"several audiences, no roles", jwtverify.Claims{
			RegisteredClaims: jwt.RegisteredClaims{Audience: jwt.ClaimStrings{"api", "billing"}, ExpiresAt: date(now)}}},
		{"empty but not nil lists", jwtverify.Claims{
			RegisteredClaims: jwt.RegisteredClaims{Audience: jwt.ClaimStrings{}}, Roles: []string{}, AMR: []string{}}},
		{"empty strings inside lists", jwtverify.Claims{
			RegisteredClaims: jwt.RegisteredClaims{Audience: jwt.ClaimStrings{""}}, Roles: []string{""}}},
		{"strings to escape", jwtverify.Claims{
			RegisteredClaims: jwt.RegisteredClaims{Issuer: `quote " backslash \ slash /`, Subject: "<script>&amp;</script>"},
			ClientID:         "tab\tnew line\ncontrol\x01\x1f del\x7f", SessionID: "é ü 日本 🙂",
			Roles: []string{"\u2028line\u2029para", "bad \xff\xfe utf-8", "\x00"}, Scope: "a+b=c%d"}},
		{"times with a fraction and before 1970", jwtverify.Claims{
			RegisteredClaims: jwt.RegisteredClaims{ExpiresAt: &jwt.NumericDate{Time: now.Add(999 * time.Millisecond)},
				NotBefore: &jwt.NumericDate{Time: time.Unix(-86401, 500_000_000)}, IssuedAt: &jwt.NumericDate{Time: time.Time{}}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkSameAsJSON(t, &tt.c) })
	}
}

// TestAppendAccessClaimsDeclinesOtherSettings: with golang-jwt set to
// sub-second times or to single audiences as strings, the encoder steps
// aside for encoding/json, which honours those settings.
func TestAppendAccessClaimsDeclinesOtherSettings(t *testing.T) {
	c := &jwtverify.Claims{RegisteredClaims: jwt.RegisteredClaims{Audience: jwt.ClaimStrings{"api"}}}
	prec := jwt.TimePrecision
	jwt.TimePrecision = time.Millisecond
	_, ok := appendAccessClaims(nil, c)
	jwt.TimePrecision = prec
	if ok {
		t.Error("encoded claims at millisecond precision")
	}
	jwt.MarshalSingleStringAsArray = false
	_, ok = appendAccessClaims(nil, c)
	jwt.MarshalSingleStringAsArray = true
	if ok {
		t.Error("encoded claims with single audiences as strings")
	}
}

func FuzzAppendAccessClaims(f *testing.F) {
	f.Add("https://id.example.com", "sub", "api", "jti", "default", "sid", "admin", "openid", "pwd", int64(1796070000), int64(0))
	f.Add("<&>", "\u2028", "\xff", "\"\\", "\t\n", "日本", "", "", "", int64(-1), int64(999_999_999))
	f.Fuzz(func(t *testing.T, iss, sub, aud, jti, client, sid, role, scope, amr string, sec, nsec int64) {
		at := &jwt.NumericDate{Time: time.Unix(sec, nsec)}
		c := &jwtverify.Claims{
			RegisteredClaims: jwt.RegisteredClaims{Issuer: iss, Subject: sub, Audience: jwt.ClaimStrings{aud, role},
				ExpiresAt: at, IssuedAt: at, ID: jti},
			ClientID: client, SessionID: sid, Roles: []string{role}, Scope: scope, AMR: []string{amr, scope},
		}
		checkSameAsJSON(t, c)
	})
}
