package httpapi

import (
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/tessera-id/tessera/internal/auth"
)

// FuzzSchemeCredential: splitting any Authorization value never panics,
// and a match really has the scheme asked for.
func FuzzSchemeCredential(f *testing.F) {
	for _, s := range []string{"Bearer abc", "bearer  x.y.z ", "Token tsk_1", "Basic Zm9vOmJhcg==", "Bearer", "", " Bearer x", "BEARER\tx"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		for _, scheme := range []string{"Bearer", "Token", "Basic"} {
			cred, ok := SchemeCredential(h, scheme)
			if ok && !strings.EqualFold(h[:len(scheme)], scheme) {
				t.Fatalf("%q matched scheme %s", h, scheme)
			}
			if cred != strings.TrimSpace(cred) {
				t.Fatalf("credential %q not trimmed", cred)
			}
		}
	})
}

// FuzzParseBasic: any header either fails as authentication_failed, is not
// Basic at all, or yields a UTF-8 user without ':' and a password that
// encode back to the same credentials.
func FuzzParseBasic(f *testing.F) {
	for _, s := range []string{
		"Basic " + base64.StdEncoding.EncodeToString([]byte("ada@example.com:pw:with:colons")),
		"Basic " + base64.StdEncoding.EncodeToString([]byte(":nouser")),
		"Basic " + base64.StdEncoding.EncodeToString([]byte("\xff:x")),
		"Basic !!!", "basic Zm9v", "Bearer x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		user, pw, present, err := parseBasic(h)
		if err != nil {
			if auth.ErrorCode(err) != auth.CodeAuthFailed || !present {
				t.Fatalf("error %v (present %v)", err, present)
			}
			return
		}
		if !present {
			return
		}
		if user == "" || strings.Contains(user, ":") || !utf8.ValidString(user) || !utf8.ValidString(pw) {
			t.Fatalf("accepted user %q pw %q", user, pw)
		}
		again, pw2, _, err := parseBasic("Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pw)))
		if err != nil || again != user || pw2 != pw {
			t.Fatalf("round trip of %q:%q gave %q:%q %v", user, pw, again, pw2, err)
		}
	})
}

// FuzzBind: any body with any content type binds, or fails with one of the
// client errors; it never panics and never reports an internal error.
func FuzzBind(f *testing.F) {
	f.Add([]byte(`{"email":"a@b.c","password":"p","device_name":"d"}`), "application/json")
	f.Add([]byte(`{"email":5}`), "application/json; charset=utf-8")
	f.Add([]byte(`[1,2,3]`), "application/json")
	f.Add([]byte(`email=a`), "text/plain")
	f.Add([]byte(`{"email":"\u0000"}`), "")
	f.Add([]byte(strings.Repeat(`{"a":`, 1000)), "application/json")
	gin.SetMode(gin.ReleaseMode)
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		w := httptest.NewRecorder()
		c, _ := gin.CreateTestContext(w)
		c.Request = httptest.NewRequest(http.MethodPost, "/v1/auth/login", strings.NewReader(string(body)))
		c.Request.Header.Set("Content-Type", contentType)
		var req loginRequest
		err := bind(c, &req)
		var ae *auth.Error
		if err != nil && (!errors.As(err, &ae) || statusOf[ae.Code] < 400 || statusOf[ae.Code] >= 500) {
			t.Fatalf("bind error %v is not a client error", err)
		}
	})
}
