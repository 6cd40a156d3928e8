package password_test

import (
	"context"
	"errors"
	"testing"

	"github.com/tessera-id/tessera/internal/password"
)

// TestCheckForeignAgreesWithVerify: CheckForeign accepts every hash real
// Django wrote that VerifyForeign verifies, and gives VerifyForeign's own
// error for every hash VerifyForeign refuses whatever the password.
func TestCheckForeignAgreesWithVerify(t *testing.T) {
	type tc struct {
		name, encoded string
		legacy        bool
	}
	var tests []tc
	for _, v := range loadDjangoVectors(t) {
		tests = append(tests, tc{v.Hasher + " " + v.Encoded, v.Encoded, true}, tc{v.Hasher + " default " + v.Encoded, v.Encoded, false})
	}
	for _, h := range hostileForeign {
		tests = append(tests, tc{h.name, h.encoded, true})
	}
	for _, s := range []string{"!abc", "", "hunter2", "pbkdf2_sha256$1000$salt", "argon2$argon2i$m=8,t=1,p=1$c29tZXNhbHQ$c29tZXNhbHRzb21lc2FsdA",
		"bcrypt$$2b$04$" + "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!", "sha1$salt$xyz", "crypt$$RYKTDaQE357xk"} {
		tests = append(tests, tc{s, s, true})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := password.ForeignOptions{AllowLegacy: tt.legacy}
			err := password.CheckForeign(tt.encoded, opts)
			_, verr := foreignHasher.VerifyForeign(context.Background(), "pw", tt.encoded, opts)
			if (err == nil) != (verr == nil) {
				t.Fatalf("CheckForeign = %v, VerifyForeign = %v", err, verr)
			}
			for _, sentinel := range []error{password.ErrUnusable, password.ErrUnknownFormat, password.ErrLegacyHash, password.ErrMalformedHash} {
				if errors.Is(err, sentinel) != errors.Is(verr, sentinel) {
					t.Fatalf("CheckForeign = %v, VerifyForeign = %v", err, verr)
				}
			}
		})
	}
}
