package httpapi_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/tessera-id/tessera/internal/server/servertest"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
)

// TestRegisterRejectsBadInput sends every password and normalisation rule
// of SECURITY.md, and hostile shapes, to the real endpoint.
func TestRegisterRejectsBadInput(t *testing.T) {
	ts := servertest.Start(t, sqltest.NewSQLite(t), nil)
	c := ts.NewClient(t)
	register(t, c, "taken@example.com")
	c.Do("POST", "/v1/auth/register", map[string]any{"email": "owner@example.com", "password": testPassword, "username": "Admin"}).
		Want(t, http.StatusCreated)

	tests := []struct {
		name   string
		body   map[string]any
		status int
		code   string
		field  string
	}{
		{"password too short", map[string]any{"email": "a1@example.com", "password": "elevenchars"}, 400, "invalid_request", "password"},
		{"password too long", map[string]any{"email": "a2@example.com", "password": strings.Repeat("x", 129)}, 400, "invalid_request", "password"},
		{"common password", map[string]any{"email": "a3@example.com", "password": "password1234"}, 400, "invalid_request", "password"},
		{"common password other case", map[string]any{"email": "a4@example.com", "password": "PASSWORD1234"}, 400, "invalid_request", "password"},
		{"missing password", map[string]any{"email": "a5@example.com"}, 400, "invalid_request", "password"},
		{"missing email", map[string]any{"password": testPassword}, 400, "invalid_request", "email"},
		{"email without at", map[string]any{"email": "nobody.example.com", "password": testPassword}, 400, "invalid_request", "email"},
		{"zero-width in email", map[string]any{"email": "ta\u200bken@example.com", "password": testPassword}, 400, "invalid_request", "email"},
		{"zero-width in username", map[string]any{"email": "a6@example.com", "password": testPassword, "username": "ad\u200bmin"}, 400, "invalid_request", "username"},
		{"duplicate e-mail other case", map[string]any{"email": "TAKEN@Example.COM", "password": testPassword}, 409, "email_taken", "email"},
		{"duplicate e-mail fullwidth", map[string]any{"email": "ｔａｋｅｎ@example.com", "password": testPassword}, 409, "email_taken", "email"},
		{"username collides by case", map[string]any{"email": "a7@example.com", "password": testPassword, "username": "admin"}, 409, "username_taken", "username"},
		{"username collides fullwidth", map[string]any{"email": "a8@example.com", "password": testPassword, "username": "ＡＤＭＩＮ"}, 409, "username_taken", "username"},
		{"username of 10,000 characters", map[string]any{"email": "a9@example.com", "password": testPassword, "username": strings.Repeat("u", 10000)}, 400, "invalid_request", "username"},
		{"SQL in username", map[string]any{"email": "a10@example.com", "password": testPassword, "username": "' OR 1=1--"}, 400, "invalid_request", "username"},
		{"SQL in e-mail", map[string]any{"email": "x'); DROP TABLE users;--", "password": testPassword}, 400, "invalid_request", "email"},
		{"wrong JSON type", map[string]any{"email": 5, "password": testPassword}, 400, "invalid_request", "email"},
		{"unknown delivery", map[string]any{"email": "a11@example.com", "password": testPassword, "delivery": "pigeon"}, 400, "invalid_request", "delivery"},
		{"unknown client", map[string]any{"email": "a12@example.com", "password": testPassword, "client_id": "nope"}, 400, "invalid_client", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := c.Do("POST", "/v1/auth/register", tt.body).WantError(t, tt.status, tt.code)
			if tt.field != "" {
				fields, _ := r.JSON()["fields"].(map[string]any)
				if _, ok := fields[tt.field]; !ok {
					t.Fatalf("want fields.%s in %s", tt.field, r.Body)
				}
			}
		})
	}
	var users int
	if err := ts.DB.SQL().Get(&users, "SELECT count(*) FROM users"); err != nil || users != 2 {
		t.Fatalf("users table holds %d rows (err %v), want the 2 valid registrations", users, err)
	}
}

// TestPasswordEdges: the accepted side of the policy, and passwords are
// neither truncated nor case-folded.
func TestPasswordEdges(t *testing.T) {
	ts := servertest.Start(t, sqltest.NewSQLite(t), nil)
	c := ts.NewClient(t)
	long := strings.Repeat("a1b2c3d4", 8) // 64 characters
	c.Do("POST", "/v1/auth/register", map[string]any{"email": "long@example.com", "password": long}).Want(t, http.StatusCreated)
	c.Do("POST", "/v1/auth/login", map[string]any{"email": "long@example.com", "password": long[:63]}).
		WantError(t, http.StatusBadRequest, "invalid_credentials")
	sql := `it's "quoted"; DROP TABLE users;--`
	c.Do("POST", "/v1/auth/register", map[string]any{"email": "sql@example.com", "password": sql}).Want(t, http.StatusCreated)
	c.Do("POST", "/v1/auth/login", map[string]any{"email": "sql@example.com", "password": sql}).Want(t, http.StatusOK)
	c.Do("POST", "/v1/auth/login", map[string]any{"email": "sql@example.com", "password": strings.ToUpper(sql)}).
		WantError(t, http.StatusBadRequest, "invalid_credentials")
	c.Do("POST", "/v1/auth/login", map[string]any{"email": "' OR 1=1--", "password": sql}).
		WantError(t, http.StatusBadRequest, "invalid_credentials")
}

// TestLoginUnknownUserLooksLikeWrongPassword: same status, same body.
func TestLoginUnknownUserLooksLikeWrongPassword(t *testing.T) {
	ts := servertest.Start(t, sqltest.NewSQLite(t), nil)
	c := ts.NewClient(t)
	register(t, c, "known@example.com")
	wrong := c.Do("POST", "/v1/auth/login", map[string]any{"email": "known@example.com", "password": "not the password at all"})
	unknown := c.Do("POST", "/v1/auth/login", map[string]any{"email": "unknown@example.com", "password": "not the password at all"})
	wrong.WantError(t, http.StatusBadRequest, "invalid_credentials")
	if unknown.StatusCode != wrong.StatusCode || string(unknown.Body) != string(wrong.Body) {
		t.Fatalf("unknown user answers %d %s, wrong password %d %s", unknown.StatusCode, unknown.Body, wrong.StatusCode, wrong.Body)
	}
}

// TestTransportErrors: every error the router and binder produce is the
// JSON error shape.
func TestTransportErrors(t *testing.T) {
	ts := servertest.Start(t, sqltest.NewSQLite(t), nil)
	c := ts.NewClient(t)
	tests := []struct {
		name    string
		method  string
		path    string
		body    any
		headers []string
		status  int
		code    string
	}{
		{"malformed JSON", "POST", "/v1/auth/login", `{"email": "a@b.c",`, nil, 400, "invalid_request"},
		{"JSON array", "POST", "/v1/auth/login", `[1,2]`, nil, 400, "invalid_request"},
		{"JSON string", "POST", "/v1/auth/register", `"a@b.c"`, nil, 400, "invalid_request"},
		{"wrong content type", "POST", "/v1/auth/login", `email=a`, []string{"Content-Type: text/plain"}, 415, "unsupported_media_type"},
		{"form body", "POST", "/v1/auth/register", `email=a&password=b`, []string{"Content-Type: application/x-www-form-urlencoded"}, 415, "unsupported_media_type"},
		{"body over 64 KiB", "POST", "/v1/auth/register", `{"email":"` + strings.Repeat("a", 70000) + `"}`, nil, 413, "payload_too_large"},
		{"unknown route", "GET", "/v1/nope", nil, nil, 404, "not_found"},
		{"wrong method", "GET", "/v1/auth/login", nil, nil, 405, "method_not_allowed"},
		{"no credentials", "GET", "/v1/auth/me", nil, nil, 401, "not_authenticated"},
		{"garbage bearer", "GET", "/v1/auth/me", nil, []string{"Authorization: Bearer abc.def.ghi"}, 401, "invalid_token"},
		{"refresh garbage", "POST", "/v1/auth/refresh", map[string]any{"refresh_token": "tsr_nope"}, nil, 400, "invalid_grant"},
		{"refresh nothing", "POST", "/v1/auth/refresh", nil, nil, 400, "invalid_request"},
		{"bad session id", "DELETE", "/v1/auth/sessions/not-a-uuid", nil, nil, 401, "not_authenticated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := c.Do(tt.method, tt.path, tt.body, tt.headers...).WantError(t, tt.status, tt.code)
			if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Fatalf("content type %q", ct)
			}
			// The description is for the client's developer: it names
			// JSON's types, never the server's own.
			if d := r.Str("error_description"); strings.Contains(d, "Go ") || strings.Contains(d, "httpapi.") {
				t.Fatalf("error_description %q names a Go type", d)
			}
		})
	}
	for _, body := range []string{`[1,2]`, `"a@b.c"`, `12`, `true`} {
		for _, path := range []string{"/v1/auth/register", "/oauth/token"} {
			r := c.Do("POST", path, body).WantError(t, http.StatusBadRequest, "invalid_request")
			if d := r.Str("error_description"); d != "the body must be a JSON object" {
				t.Errorf("%s %s: error_description %q", path, body, d)
			}
		}
	}
	// The token endpoint reads a JSON body as an object of strings.
	r := c.Do("POST", "/oauth/token", `{"grant_type": "refresh_token", "refresh_token": 5}`).WantError(t, http.StatusBadRequest, "invalid_request")
	if d := r.Str("error_description"); d != "every member of the body must be a string" {
		t.Errorf("a number among the token endpoint's parameters: error_description %q", d)
	}
	// A member of the wrong type is named in fields, with the type it
	// must have.
	for body, want := range map[string]string{
		`{"email": 5, "password": "x"}`:          "must be a string",
		`{"email": ["a@b.c"], "password": "x"}`:  "must be a string",
		`{"email": {"a": "b"}, "password": "x"}`: "must be a string",
	} {
		r := c.Do("POST", "/v1/auth/register", body).WantError(t, http.StatusBadRequest, "invalid_request")
		var got struct {
			Fields map[string][]string `json:"fields"`
		}
		if err := json.Unmarshal(r.Body, &got); err != nil || len(got.Fields["email"]) != 1 || got.Fields["email"][0] != want {
			t.Errorf("body %s: fields %v (%v), want email: %q", body, got.Fields, err, want)
		}
	}
	// Unknown fields are ignored, like Django REST Framework does.
	c.Do("POST", "/v1/auth/register", map[string]any{"email": "extra@example.com", "password": testPassword, "remember_me": true}).
		Want(t, http.StatusCreated)
}

// TestUnauthorizedChallenge: a 401 names the scheme, and says
// invalid_token only when a bearer token was sent and refused.
func TestUnauthorizedChallenge(t *testing.T) {
	ts := servertest.Start(t, sqltest.NewSQLite(t), nil)
	c := ts.NewClient(t)
	r := c.Do("GET", "/v1/auth/me", nil).Want(t, 401)
	if got := r.Header.Values("WWW-Authenticate"); len(got) == 0 || got[0] != `Bearer realm="tessera"` {
		t.Fatalf("challenge without credentials = %q", got)
	}
	r = c.Do("GET", "/v1/auth/me", nil, "Authorization: Bearer x.y.z").Want(t, 401)
	if got := r.Header.Values("WWW-Authenticate"); len(got) == 0 || got[0] != `Bearer realm="tessera", error="invalid_token"` {
		t.Fatalf("challenge with a bad token = %q", got)
	}
}

// TestChunkedBodyNeedsJSONType: a body of unknown length is held to the
// same content-type rule as one with a Content-Length.
func TestChunkedBodyNeedsJSONType(t *testing.T) {
	ts := servertest.Start(t, sqltest.NewSQLite(t), nil)
	req, _ := http.NewRequest("POST", ts.URL+"/v1/auth/login", io.NopCloser(strings.NewReader(`{"email":"a@b.c","password":"x"}`)))
	req.ContentLength = -1 // sent chunked
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnsupportedMediaType {
		t.Fatalf("chunked body without a content type: %d, want 415", resp.StatusCode)
	}
}

// TestHeadOnProbes: HEAD is answered where GET is, without a body.
func TestHeadOnProbes(t *testing.T) {
	ts := servertest.Start(t, sqltest.NewSQLite(t), nil)
	c := ts.NewClient(t)
	for _, p := range []string{"/healthz", "/readyz", "/.well-known/jwks.json", "/.well-known/openid-configuration"} {
		r := c.Do("HEAD", p, nil).Want(t, 200)
		if len(r.Body) != 0 {
			t.Fatalf("HEAD %s returned a body", p)
		}
	}
}
