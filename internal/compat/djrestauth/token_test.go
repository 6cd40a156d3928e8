package djrestauth_test

import (
	"strings"
	"testing"

	"github.com/tessera-id/tessera/internal/mail"
	"github.com/tessera-id/tessera/internal/store/sqlstore"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
)

const (
	authA  = "Authorization: Token {key}"
	form   = "Content-Type: application/x-www-form-urlencoded"
	noAuth = `{"detail": "Authentication credentials were not provided."}`
)

// TestTokenMode drives every route of the default (token) mode, each
// answer compared with what dj-rest-auth writes (shapes from its
// views.py and serializers.py, DRF's fields and exceptions).
func TestTokenMode(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		cs := start(t, db, "token")
		reg := map[string]any{"username": "ada", "email": "ada@example.com", "password1": pw, "password2": pw}
		cs.run(t, []step{
			{name: "register", method: "POST", path: "registration/", body: reg, status: 201, has: []string{"key"}, save: map[string]string{"key": "key"}},
			{name: "register taken e-mail", method: "POST", path: "registration/", body: map[string]any{"email": "ADA@example.com", "password1": pw, "password2": pw}, status: 400,
				want: `{"email": ["A user is already registered with this e-mail address."]}`},
			{name: "register taken username", method: "POST", path: "registration/", body: map[string]any{"username": "Ada", "email": "a2@example.com", "password1": pw, "password2": pw}, status: 400,
				want: `{"username": ["A user with that username already exists."]}`},
			{name: "register mismatched passwords", method: "POST", path: "registration/", body: map[string]any{"email": "b@example.com", "password1": pw, "password2": pw + "!"}, status: 400,
				want: `{"non_field_errors": ["The two password fields didn't match."]}`},
			{name: "register common password", method: "POST", path: "registration/", body: map[string]any{"email": "b@example.com", "password1": "1qaz2wsx3edc", "password2": "1qaz2wsx3edc"}, status: 400,
				want: `{"password1": ["This password is too common."]}`},
			{name: "register short password", method: "POST", path: "registration/", body: map[string]any{"email": "b@example.com", "password1": "Zq8!x", "password2": "Zq8!x"}, status: 400,
				want: `{"password1": ["This password is too short. It must contain at least 12 characters."]}`},
			{name: "register without fields", method: "POST", path: "registration/", body: map[string]any{}, status: 400,
				want: `{"email": ["This field is required."], "password1": ["This field is required."], "password2": ["This field is required."]}`},
			{name: "register with an empty body", method: "POST", path: "registration/", status: 400,
				want: `{"email": ["This field is required."], "password1": ["This field is required."], "password2": ["This field is required."]}`},
			{name: "register with wrong types", method: "POST", path: "registration/", body: map[string]any{"email": []string{"x"}, "password1": true, "password2": map[string]any{}}, status: 400,
				want: `{"email": ["Not a valid string."], "password1": ["Not a valid string."], "password2": ["Not a valid string."]}`},
			{name: "register with nulls and blanks", method: "POST", path: "registration/", body: map[string]any{"email": nil, "password1": "  ", "password2": ""}, status: 400,
				want: `{"email": ["This field may not be null."], "password1": ["This field may not be blank."], "password2": ["This field may not be blank."]}`},
			{name: "register malformed e-mail", method: "POST", path: "registration/", body: map[string]any{"email": "ada", "password1": pw, "password2": pw}, status: 400,
				want: `{"email": ["Enter a valid email address."]}`},
			{name: "register a list", method: "POST", path: "registration/", body: []string{"ada"}, status: 400,
				want: `{"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]}`},
			{name: "register malformed JSON", method: "POST", path: "registration/", body: `{"email": `, headers: []string{"Content-Type: application/json"}, status: 400, has: []string{"detail"}},
			{name: "register as text", method: "POST", path: "registration/", body: "email=x", headers: []string{"Content-Type: text/plain"}, status: 415,
				want: `{"detail": "Unsupported media type \"text/plain\" in request."}`},

			{name: "login by e-mail gives the same key", method: "POST", path: "login/", body: map[string]any{"email": "ada@example.com", "password": pw}, status: 200, want: `{"key": "{key}"}`},
			{name: "login by username", method: "POST", path: "login/", body: map[string]any{"username": "ADA", "password": pw}, status: 200, want: `{"key": "{key}"}`},
			{name: "login from a form", method: "POST", path: "login/", body: "username=ada&password=" + pw, headers: []string{form}, status: 200, want: `{"key": "{key}"}`},
			{name: "login e-mail wins over username", method: "POST", path: "login/", body: map[string]any{"username": "nobody", "email": "ada@example.com", "password": pw}, status: 200, want: `{"key": "{key}"}`},
			{name: "login wrong password", method: "POST", path: "login/", body: map[string]any{"email": "ada@example.com", "password": "not the password at all"}, status: 400,
				want: `{"non_field_errors": ["Unable to log in with provided credentials."]}`},
			{name: "login unknown user", method: "POST", path: "login/", body: map[string]any{"username": "nobody", "password": pw}, status: 400,
				want: `{"non_field_errors": ["Unable to log in with provided credentials."]}`},
			{name: "login without a name", method: "POST", path: "login/", body: map[string]any{"password": pw}, status: 400,
				want: `{"non_field_errors": ["Must include either \"username\" or \"email\" and \"password\"."]}`},
			{name: "login without password", method: "POST", path: "login/", body: map[string]any{"username": "ada"}, status: 400, want: `{"password": ["This field is required."]}`},
			{name: "login password of the wrong type", method: "POST", path: "login/", body: map[string]any{"username": "ada", "password": []int{1}}, status: 400, want: `{"password": ["Not a valid string."]}`},
			{name: "login malformed e-mail", method: "POST", path: "login/", body: map[string]any{"email": "ada@", "password": pw}, status: 400, want: `{"email": ["Enter a valid email address."]}`},

			{name: "user", method: "GET", path: "user/", headers: []string{authA}, status: 200, save: map[string]string{"pk": "pk"},
				want: `{"pk": "{pk}", "username": "ada", "email": "ada@example.com", "first_name": "", "last_name": ""}`},
			{name: "user without credentials", method: "GET", path: "user/", status: 401, want: noAuth, header: map[string]string{"WWW-Authenticate": "Token"}},
			{name: "user with a wrong key", method: "GET", path: "user/", headers: []string{"Authorization: Token tsk_wrong"}, status: 401,
				want: `{"detail": "Invalid token."}`, header: map[string]string{"WWW-Authenticate": "Token"}},
			{name: "user with an empty key", method: "GET", path: "user/", headers: []string{"Authorization: Token"}, status: 401,
				want: `{"detail": "Invalid token header. No credentials provided."}`},
			{name: "user with a key of two words", method: "GET", path: "user/", headers: []string{"Authorization: Token a b"}, status: 401,
				want: `{"detail": "Invalid token header. Token string should not contain spaces."}`},
			{name: "user with a bearer token in token mode", method: "GET", path: "user/", headers: []string{"Authorization: Bearer x.y.z"}, status: 401, want: noAuth},
			{name: "patch names", method: "PATCH", path: "user/", headers: []string{authA}, body: map[string]any{"first_name": "Ada", "last_name": "Lovelace", "email": "ignored@example.com", "pk": 7}, status: 200,
				want: `{"pk": "{pk}", "username": "ada", "email": "ada@example.com", "first_name": "Ada", "last_name": "Lovelace"}`},
			{name: "put without username", method: "PUT", path: "user/", headers: []string{authA}, body: map[string]any{"first_name": "A"}, status: 400, want: `{"username": ["This field is required."]}`},
			{name: "put", method: "PUT", path: "user/", headers: []string{authA}, body: map[string]any{"username": "ada_l"}, status: 200,
				want: `{"pk": "{pk}", "username": "ada_l", "email": "ada@example.com", "first_name": "Ada", "last_name": "Lovelace"}`},
			{name: "patch a blank username", method: "PATCH", path: "user/", headers: []string{authA}, body: map[string]any{"username": " "}, status: 400, want: `{"username": ["This field may not be blank."]}`},
			{name: "patch a name too long", method: "PATCH", path: "user/", headers: []string{authA}, body: map[string]any{"first_name": strings.Repeat("a", 151)}, status: 400,
				want: `{"first_name": ["Ensure this field has no more than 150 characters."]}`},
			{name: "patch without credentials", method: "PATCH", path: "user/", body: map[string]any{"first_name": "A"}, status: 401, want: noAuth},

			{name: "change mismatched", method: "POST", path: "password/change/", headers: []string{authA}, body: map[string]any{"old_password": pw, "new_password1": pw + "1", "new_password2": pw + "2"}, status: 400,
				want: `{"new_password2": ["The two password fields didn’t match."]}`},
			{name: "change without old password", method: "POST", path: "password/change/", headers: []string{authA}, body: map[string]any{"new_password1": pw + "1", "new_password2": pw + "1"}, status: 400,
				want: `{"old_password": ["This field is required."]}`},
			{name: "change wrong old password", method: "POST", path: "password/change/", headers: []string{authA}, body: map[string]any{"old_password": "not it at all!", "new_password1": pw + "1", "new_password2": pw + "1"}, status: 400,
				want: `{"old_password": ["Your old password was entered incorrectly. Please enter it again."]}`},
			{name: "change to a common password", method: "POST", path: "password/change/", headers: []string{authA}, body: map[string]any{"old_password": pw, "new_password1": "1qaz2wsx3edc", "new_password2": "1qaz2wsx3edc"}, status: 400,
				want: `{"new_password2": ["This password is too common."]}`},
			{name: "change without credentials", method: "POST", path: "password/change/", body: map[string]any{}, status: 401, want: noAuth},
			{name: "change", method: "POST", path: "password/change/", headers: []string{authA}, body: map[string]any{"old_password": pw, "new_password1": pw + "1", "new_password2": pw + "1"}, status: 200,
				want: `{"detail": "New password has been saved."}`},
			{name: "the key ended with the change", method: "GET", path: "user/", headers: []string{authA}, status: 401, want: `{"detail": "Invalid token."}`},
			{name: "login with the new password", method: "POST", path: "login/", body: map[string]any{"username": "ada_l", "password": pw + "1"}, status: 200, has: []string{"key"}, save: map[string]string{"key": "key"}},

			{name: "logout", method: "POST", path: "logout/", headers: []string{authA}, status: 200, want: `{"detail": "Successfully logged out."}`},
			{name: "the key ended with the logout", method: "GET", path: "user/", headers: []string{authA}, status: 401, want: `{"detail": "Invalid token."}`},
			{name: "logout without credentials", method: "POST", path: "logout/", status: 400, want: `{"detail": "You should be logged in to logout. Check whether the token is passed."}`},
			{name: "logout with a wrong key", method: "POST", path: "logout/", headers: []string{authA}, status: 401, want: `{"detail": "Invalid token."}`},
			{name: "no jwt routes in token mode", method: "POST", path: "token/verify/", body: map[string]any{"token": "x"}, status: 404},
			{name: "GET on login", method: "GET", path: "login/", status: 405},
		})
	})
}

// TestPasswordReset: the reset mail's uid and token confirm the reset on
// the compatible route, and every refusal is in DRF's shape.
func TestPasswordReset(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		cs := start(t, db, "token")
		cs.run(t, []step{
			{name: "register", method: "POST", path: "registration/", body: map[string]any{"email": "ada@example.com", "password1": pw, "password2": pw}, status: 201},
			{name: "reset", method: "POST", path: "password/reset/", body: map[string]any{"email": "ada@example.com"}, status: 200, want: `{"detail": "Password reset e-mail has been sent."}`},
			{name: "reset an unknown address", method: "POST", path: "password/reset/", body: map[string]any{"email": "nobody@example.com"}, status: 200, want: `{"detail": "Password reset e-mail has been sent."}`},
			{name: "reset malformed address", method: "POST", path: "password/reset/", body: map[string]any{"email": "ada"}, status: 400, want: `{"email": ["Enter a valid email address."]}`},
			{name: "reset without address", method: "POST", path: "password/reset/", body: map[string]any{}, status: 400, want: `{"email": ["This field is required."]}`},
		})
		q := cs.mailQuery(t, "ada@example.com", mail.TemplateResetPassword)
		cs.vars["uid"], cs.vars["token"] = q.Get("uid"), q.Get("token")
		confirm := func(uid, token, p1, p2 string) map[string]any {
			return map[string]any{"uid": uid, "token": token, "new_password1": p1, "new_password2": p2}
		}
		cs.run(t, []step{
			{name: "confirm without fields", method: "POST", path: "password/reset/confirm/", body: map[string]any{}, status: 400,
				want: `{"uid": ["This field is required."], "token": ["This field is required."], "new_password1": ["This field is required."], "new_password2": ["This field is required."]}`},
			{name: "confirm a uid that is no id", method: "POST", path: "password/reset/confirm/", body: confirm("MQ", "{token}", pw+"2", pw+"2"), status: 400, want: `{"uid": ["Invalid value"]}`},
			{name: "confirm an unknown uid", method: "POST", path: "password/reset/confirm/", body: confirm("0190c3f5-0000-7000-8000-000000000000", "{token}", pw+"2", pw+"2"), status: 400, want: `{"token": ["Invalid value"]}`},
			{name: "confirm a wrong token", method: "POST", path: "password/reset/confirm/", body: confirm("{uid}", "wrong", pw+"2", pw+"2"), status: 400, want: `{"token": ["Invalid value"]}`},
			{name: "confirm mismatched", method: "POST", path: "password/reset/confirm/", body: confirm("{uid}", "{token}", pw+"2", pw+"3"), status: 400,
				want: `{"new_password2": ["The two password fields didn’t match."]}`},
			{name: "confirm a common password", method: "POST", path: "password/reset/confirm/", body: confirm("{uid}", "{token}", "1qaz2wsx3edc", "1qaz2wsx3edc"), status: 400,
				want: `{"new_password2": ["This password is too common."]}`},
			{name: "confirm", method: "POST", path: "password/reset/confirm/", body: confirm("{uid}", "{token}", pw+"2", pw+"2"), status: 200,
				want: `{"detail": "Password has been reset with the new password."}`},
			{name: "confirm twice", method: "POST", path: "password/reset/confirm/", body: confirm("{uid}", "{token}", pw+"3", pw+"3"), status: 400, want: `{"token": ["Invalid value"]}`},
			{name: "login with the new password", method: "POST", path: "login/", body: map[string]any{"email": "ada@example.com", "password": pw + "2"}, status: 200, has: []string{"key"}},
		})
	})
}

// TestEmailVerification: the key of the verification mail works on
// verify-email/; resend answers "ok" whatever the address.
func TestEmailVerification(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		cs := start(t, db, "token")
		cs.step(t, step{method: "POST", path: "registration/", body: map[string]any{"email": "ada@example.com", "password1": pw, "password2": pw}, status: 201})
		cs.vars["vkey"] = cs.mailQuery(t, "ada@example.com", mail.TemplateVerifyEmail).Get("key")
		cs.run(t, []step{
			{name: "resend", method: "POST", path: "registration/resend-email/", body: map[string]any{"email": "ada@example.com"}, status: 200, want: `{"detail": "ok"}`},
			{name: "resend to an unknown address", method: "POST", path: "registration/resend-email/", body: map[string]any{"email": "nobody@example.com"}, status: 200, want: `{"detail": "ok"}`},
			{name: "resend without address", method: "POST", path: "registration/resend-email/", status: 400, want: `{"email": ["This field is required."]}`},
		})
		cs.vars["vkey"] = cs.mailQuery(t, "ada@example.com", mail.TemplateVerifyEmail).Get("key")
		cs.run(t, []step{
			{name: "verify a wrong key", method: "POST", path: "registration/verify-email/", body: map[string]any{"key": "nope"}, status: 404, want: `{"detail": "Not found."}`},
			{name: "verify without key", method: "POST", path: "registration/verify-email/", body: map[string]any{}, status: 400, want: `{"key": ["This field is required."]}`},
			{name: "verify", method: "POST", path: "registration/verify-email/", body: map[string]any{"key": "{vkey}"}, status: 200, want: `{"detail": "ok"}`},
			{name: "verify again", method: "POST", path: "registration/verify-email/", body: map[string]any{"key": "{vkey}"}, status: 404, want: `{"detail": "Not found."}`},
		})
	})
}
