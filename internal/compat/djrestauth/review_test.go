package djrestauth_test

import (
	"testing"

	"github.com/tessera-id/tessera/internal/auth"
	"github.com/tessera-id/tessera/internal/config"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
)

// TestRegisterTakenEmailWording: a taken address is refused in the words
// of dj-rest-auth's RegisterSerializer, which front-ends match exactly.
func TestRegisterTakenEmailWording(t *testing.T) {
	for _, mode := range []string{"token", "jwt"} {
		t.Run(mode, func(t *testing.T) {
			cs := start(t, sqltest.NewSQLite(t), mode)
			reg := map[string]any{"email": "ada@example.com", "password1": pw, "password2": pw}
			cs.run(t, []step{
				{name: "register", method: "POST", path: "registration/", body: reg, status: 201},
				{name: "register again", method: "POST", path: "registration/", body: reg, status: 400,
					want: `{"email": ["A user is already registered with this e-mail address."]}`},
			})
		})
	}
}

// TestJSONTrailingData: a JSON body with anything after its object is a
// parse error, as in DRF's JSONParser and Tessera's own API, whatever
// the trailing text is.
func TestJSONTrailingData(t *testing.T) {
	cs := start(t, sqltest.NewSQLite(t), "token")
	cs.step(t, step{method: "POST", path: "registration/", body: map[string]any{"username": "ada", "email": "ada@example.com", "password1": pw, "password2": pw}, status: 201})
	for name, tail := range map[string]string{"brace": "}", "bracket": "]", "object": `{}`, "word": "x"} {
		t.Run(name, func(t *testing.T) {
			cs.step(t, step{method: "POST", path: "login/", body: `{"username": "ada", "password": "` + pw + `"}` + tail,
				headers: []string{"Content-Type: application/json"}, status: 400, has: []string{"detail"}})
		})
	}
}

// TestFormRepeatedField: of a field sent twice in a form, the last value
// counts, as in Django's QueryDict (and as the last of two JSON members
// does).
func TestFormRepeatedField(t *testing.T) {
	cs := start(t, sqltest.NewSQLite(t), "token")
	cs.run(t, []step{
		{name: "register", method: "POST", path: "registration/", body: map[string]any{"username": "ada", "email": "ada@example.com", "password1": pw, "password2": pw}, status: 201, save: map[string]string{"key": "key"}},
		{name: "login, urlencoded", method: "POST", path: "login/", body: "username=nobody&username=ada&password=" + pw, headers: []string{form}, status: 200, want: `{"key": "{key}"}`},
		{name: "login, multipart", method: "POST", path: "login/",
			body:    "--b\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\nnobody\r\n--b\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\nada\r\n--b\r\nContent-Disposition: form-data; name=\"password\"\r\n\r\n" + pw + "\r\n--b--\r\n",
			headers: []string{"Content-Type: multipart/form-data; boundary=b"}, status: 200, want: `{"key": "{key}"}`},
	})
}

// TestUserNullName: Django's name fields are not nullable, so PUT or PATCH
// with null is refused, not taken as a request to clear the name.
func TestUserNullName(t *testing.T) {
	cs := start(t, sqltest.NewSQLite(t), "token")
	cs.run(t, []step{
		{name: "register", method: "POST", path: "registration/", body: map[string]any{"username": "ada", "email": "ada@example.com", "password1": pw, "password2": pw}, status: 201, save: map[string]string{"key": "key"}},
		{name: "name", method: "PATCH", path: "user/", headers: []string{authA}, body: map[string]any{"first_name": "Ada"}, status: 200, save: map[string]string{"pk": "pk"}},
		{name: "patch null", method: "PATCH", path: "user/", headers: []string{authA}, body: map[string]any{"first_name": nil}, status: 400,
			want: `{"first_name": ["This field may not be null."]}`},
		{name: "put null", method: "PUT", path: "user/", headers: []string{authA}, body: map[string]any{"username": "ada", "last_name": nil}, status: 400,
			want: `{"last_name": ["This field may not be null."]}`},
		{name: "name kept", method: "GET", path: "user/", headers: []string{authA}, status: 200,
			want: `{"pk": "{pk}", "username": "ada", "email": "ada@example.com", "first_name": "Ada", "last_name": ""}`},
	})
}

// TestCompatHonoursAuthentication: with TESSERA_AUTHENTICATION listing
// bearer but not token, the jwt-mode routes ignore "Authorization: Token"
// (a classic key obtained some other way is no credential here, as on
// /v1/auth) and still read Bearer.
func TestCompatHonoursAuthentication(t *testing.T) {
	cs := start(t, sqltest.NewSQLite(t), "jwt", func(c *config.Config) { c.Authentication = []string{"bearer", "session"} })
	cs.run(t, []step{
		{name: "register", method: "POST", path: "registration/", body: map[string]any{"username": "ada", "email": "ada@example.com", "password1": pw, "password2": pw}, status: 201,
			save: map[string]string{"access": "access"}},
		{name: "user by bearer", method: "GET", path: "user/", headers: []string{bearerA}, status: 200},
	})
	u, err := cs.Auth.AdminFindUser(t.Context(), "ada@example.com")
	if err != nil {
		t.Fatal(err)
	}
	key, err := cs.Auth.ObtainClassicToken(t.Context(), u, auth.Device{})
	if err != nil {
		t.Fatal(err)
	}
	cs.vars["key"] = key.Key
	cs.run(t, []step{
		{name: "user by classic key", method: "GET", path: "user/", headers: []string{authA}, status: 401,
			want: `{"detail": "Authentication credentials were not provided."}`},
	})
}
