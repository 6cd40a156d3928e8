package httpapi

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

func userFixtures() []userResponse {
	name := "ada"
	odd := "<b>&\u2028\"\\\x01\xff"
	created := time.Date(2026, 11, 30, 22, 1, 2, 123456000, time.UTC)
	last := created.Add(time.Hour)
	east := time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("", 5*3600+30*60))
	return []userResponse{
		{ID: "0c7e3f7a-4a4b-4f3e-9d7a-3b2d8f9e1a2b", Email: "ada@example.com", CreatedAt: created},
		{ID: "x", Email: "Ada+tag@Example.COM", Username: &name, FirstName: "Ada", LastName: "Lovelace",
			IsActive: true, IsAdmin: true, EmailVerified: true, CreatedAt: created, LastLoginAt: &last},
		{ID: odd, Email: odd, Username: &odd, FirstName: "Zoë", LastName: "日本", CreatedAt: east, LastLoginAt: &east},
		{CreatedAt: time.Time{}},
		{CreatedAt: time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC)},
	}
}

// refused are times time.Time's MarshalJSON refuses: the writers must
// report false for them, so c.JSON answers (with its error) as before.
func refused() []time.Time {
	return []time.Time{
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("", 24*3600)),
	}
}

func TestAnswersMatchEncodingJSON(t *testing.T) {
	for _, u := range userFixtures() {
		compareUser(t, u)
		for _, l := range []loginResponse{
			{ExpiresIn: 900, RefreshExpiresIn: 2592000, SessionID: "s", Delivery: "cookie", CSRFToken: "c", User: u},
			{TokenType: "Bearer", AccessToken: "a.b.c", ExpiresIn: 0, RefreshToken: "r<&>", RefreshExpiresIn: -1,
				SessionID: "s", Delivery: "body", User: u},
			{User: u},
		} {
			compareLogin(t, l)
		}
	}
	for _, tm := range refused() {
		u := userResponse{CreatedAt: tm}
		if _, ok := appendUserResponse(nil, &u); ok {
			t.Errorf("created_at %v: written, but MarshalJSON refuses it", tm)
		}
		good := time.Now()
		u = userResponse{CreatedAt: good, LastLoginAt: &tm}
		if _, ok := appendLoginResponse(nil, &loginResponse{User: u}); ok {
			t.Errorf("last_login_at %v: written, but MarshalJSON refuses it", tm)
		}
	}
}

// FuzzAppendLoginResponse: a sign-in answer is written as encoding/json
// writes it, or not at all when encoding/json refuses it.
func FuzzAppendLoginResponse(f *testing.F) {
	f.Add("ada@example.com", "ada", true, "Ada", "<b>", int64(1800000000), int64(123456000), 0, "Bearer", "a.b.c", "r", int64(900))
	f.Add("\xff\u2028", "", false, "", "", int64(-62167219201), int64(0), 24*3600, "", "", "csrf", int64(-5))
	f.Add("x", "y", true, "z", "w", int64(253402300800), int64(999999999), -3600*23-59*60, "", "t", "", int64(0))
	f.Fuzz(func(t *testing.T, email, username string, hasUsername bool, first, last string,
		sec, nsec int64, zone int, tokenType, access, refresh string, expires int64) {
		tm := time.Unix(sec, nsec).In(time.FixedZone("", zone%(30*3600)))
		u := userResponse{ID: first + last, Email: email, FirstName: first, LastName: last,
			IsActive: hasUsername, EmailVerified: !hasUsername, CreatedAt: tm}
		if hasUsername {
			u.Username, u.LastLoginAt = &username, &tm
		}
		compareUser(t, u)
		compareLogin(t, loginResponse{TokenType: tokenType, AccessToken: access, ExpiresIn: expires,
			RefreshToken: refresh, RefreshExpiresIn: expires / 2, SessionID: username, Delivery: last,
			CSRFToken: email, User: u})
	})
}

func compareUser(t *testing.T, u userResponse) {
	t.Helper()
	got, ok := appendUserResponse([]byte("prefix"), &u)
	compareAnswer(t, u, got, ok)
}

func compareLogin(t *testing.T, l loginResponse) {
	t.Helper()
	got, ok := appendLoginResponse([]byte("prefix"), &l)
	compareAnswer(t, l, got, ok)
}

func compareAnswer(t *testing.T, v any, got []byte, ok bool) {
	t.Helper()
	want, err := json.Marshal(v)
	if !bytes.HasPrefix(got, []byte("prefix")) {
		t.Fatalf("%+v: the writer lost what b held: %q", v, got)
	}
	got = got[len("prefix"):]
	switch {
	case err != nil && ok:
		t.Fatalf("%+v: written as %s, but encoding/json refuses it: %v", v, got, err)
	case err == nil && !ok:
		t.Fatalf("%+v: not written, but encoding/json writes %s", v, want)
	case ok && !bytes.Equal(got, want):
		t.Fatalf("%+v:\nwriter        %s\nencoding/json %s", v, got, want)
	}
}
