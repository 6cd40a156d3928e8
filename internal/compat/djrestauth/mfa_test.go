package djrestauth_test

import (
	"testing"

	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
)

// TestSecondFactorRefused: dj-rest-auth has no second step, so its login
// gives an account with a second factor neither its key (token mode) nor
// a session (jwt mode): 400 with a non-field error and no credential.
func TestSecondFactorRefused(t *testing.T) {
	for _, mode := range []string{"token", "jwt"} {
		t.Run(mode, func(t *testing.T) {
			cs := start(t, sqltest.NewSQLite(t), mode)
			cs.run(t, []step{
				{name: "register", method: "POST", path: "registration/", body: map[string]any{"email": "ada@example.com", "password1": pw, "password2": pw}, status: 201},
				{name: "login before enrolling", method: "POST", path: "login/", body: map[string]any{"email": "ada@example.com", "password": pw}, status: 200},
			})
			cs.EnrolTOTP(t, "ada@example.com", pw)
			r := cs.NewClient(t).Do("POST", cs.base+"login/", map[string]any{"email": "ada@example.com", "password": pw}).Want(t, 400)
			body := r.JSON()
			if body["key"] != nil || body["access"] != nil || body["refresh"] != nil || body["non_field_errors"] == nil {
				t.Fatalf("login of an account with a second factor answered %s", r.Body)
			}
		})
	}
}
