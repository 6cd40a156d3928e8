package password_test

import (
	"errors"
	"testing"

	"github.com/tessera-id/tessera/internal/password"
)

func TestScheme(t *testing.T) {
	tests := []struct {
		name, encoded string
		legacy        bool
		want          string
		wantErr       error
	}{
		{"pbkdf2_sha256", "pbkdf2_sha256$260000$salt$aGFzaA==", false, "pbkdf2_sha256", nil},
		{"pbkdf2_sha1", "pbkdf2_sha1$260000$salt$aGFzaA==", false, "pbkdf2_sha1", nil},
		{"django argon2", "argon2$argon2id$v=19$m=102400,t=2,p=8$c2FsdA$aGFzaA", false, "argon2", nil},
		{"django argon2i", "argon2$argon2i$v=19$m=512,t=2,p=2$c2FsdA$aGFzaA", false, "argon2", nil},
		{"phc argon2i", "$argon2i$v=19$m=512,t=2,p=2$c2FsdA$aGFzaA", false, "argon2i", nil},
		{"bcrypt_sha256", "bcrypt_sha256$$2b$12$abc", false, "bcrypt_sha256", nil},
		{"django bcrypt", "bcrypt$$2b$12$abc", false, "bcrypt", nil},
		{"plain bcrypt", "$2a$10$abc", false, "bcrypt", nil},
		{"scrypt", "scrypt$16384$salt$8$1$aGFzaA==", false, "scrypt", nil},
		{"md5 refused", "md5$salt$0123", false, "md5", password.ErrLegacyHash},
		{"md5 allowed", "md5$salt$0123", true, "md5", nil},
		{"sha1 refused", "sha1$salt$0123", false, "sha1", password.ErrLegacyHash},
		{"unsalted md5 bare", "0123456789abcdef0123456789abcdef", true, "unsalted_md5", nil},
		{"unsalted md5 prefixed", "md5$$0123456789abcdef0123456789abcdef", true, "unsalted_md5", nil},
		{"unsalted sha1", "sha1$$0123", false, "unsalted_sha1", password.ErrLegacyHash},
		{"crypt always refused", "crypt$$abc", true, "crypt", password.ErrLegacyHash},
		{"unusable", "!abcdef", true, password.SchemeUnusable, password.ErrUnusable},
		{"empty", "", true, password.SchemeUnknown, password.ErrUnknownFormat},
		{"junk", "plaintext-password", true, password.SchemeUnknown, password.ErrUnknownFormat},
		{"argon2 junk variant", "argon2$argon2d$v=19$x", true, password.SchemeUnknown, password.ErrUnknownFormat},
		{"too long", "pbkdf2_sha256$" + string(make([]byte, 2000)), true, password.SchemeUnknown, password.ErrUnknownFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := password.Scheme(tt.encoded, tt.legacy)
			if got != tt.want || !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("Scheme(%q, %v) = %q, %v; want %q, %v", tt.encoded, tt.legacy, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestClassify(t *testing.T) {
	cheap := password.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
	h := newHasher(t, cheap, 1)
	other := newHasher(t, password.Params{Memory: 128, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}, 1)
	tests := []struct{ name, encoded, want string }{
		{"current", mustHash(t, h, "correct horse battery"), password.SchemeCurrent},
		{"old params", mustHash(t, other, "correct horse battery"), password.SchemeOldParams},
		{"malformed own layout", "$argon2id$v=19$m=64,t=1,p=1$bad", password.SchemeUnknown},
		{"django pbkdf2", "pbkdf2_sha256$870000$salt$aGFzaA==", "pbkdf2_sha256"},
		{"legacy still named", "md5$salt$0123", "md5"},
		{"unusable", "!", password.SchemeUnusable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := h.Classify(tt.encoded); got != tt.want {
				t.Fatalf("Classify(%q) = %q, want %q", tt.encoded, got, tt.want)
			}
		})
	}
}
