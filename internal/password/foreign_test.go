package password_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/tessera-id/tessera/internal/password"
)

// djangoVector is one line of testdata/django_vectors.jsonl, written by real
// Django through testdata/django_vectors.py.
type djangoVector struct {
	Hasher   string `json:"hasher"`
	Password string `json:"password"`
	Encoded  string `json:"encoded"`
}

// foreignHasher verifies every foreign hash of these tests.
var foreignHasher = password.NewHasher(cheapParams, 2)

// legacyHashers are the Django hashers VerifyForeign refuses by default.
var legacyHashers = map[string]bool{"md5": true, "sha1": true, "unsalted_md5": true, "unsalted_sha1": true, "crypt": true}

func loadDjangoVectors(t testing.TB) []djangoVector {
	t.Helper()
	f, err := os.Open("testdata/django_vectors.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var vs []djangoVector
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var v djangoVector
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatalf("%q: %v", sc.Text(), err)
		}
		vs = append(vs, v)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, v := range vs {
		seen[v.Hasher] = true
	}
	for _, h := range []string{"pbkdf2_sha256", "pbkdf2_sha1", "argon2", "argon2id", "bcrypt_sha256", "bcrypt", "scrypt", "md5", "sha1", "unsalted_md5", "unsalted_sha1", "crypt"} {
		if !seen[h] {
			t.Fatalf("no %s vector in testdata/django_vectors.jsonl", h)
		}
	}
	return vs
}

// mutate changes one character of the hash part of encoded, keeping it in
// every alphabet the formats use.
func mutate(encoded string) string {
	i := len(strings.TrimRight(encoded, "=")) - 5
	c := byte('a')
	if encoded[i] == 'a' {
		c = 'b'
	}
	return encoded[:i] + string(c) + encoded[i+1:]
}

func TestVerifyForeignDjangoVectors(t *testing.T) {
	allow := password.ForeignOptions{AllowLegacy: true}
	for _, v := range loadDjangoVectors(t) {
		t.Run(v.Hasher+"/"+v.Encoded, func(t *testing.T) {
			if !password.IsForeign(v.Encoded) {
				t.Error("IsForeign = false")
			}
			if v.Hasher == "crypt" {
				if ok, err := foreignHasher.VerifyForeign(context.Background(), v.Password, v.Encoded, allow); ok || !errors.Is(err, password.ErrLegacyHash) {
					t.Fatalf("crypt: %v, %v; want ErrLegacyHash even when legacy is allowed", ok, err)
				}
				return
			}
			if ok, err := foreignHasher.VerifyForeign(context.Background(), v.Password, v.Encoded, allow); !ok || err != nil {
				t.Fatalf("right password: %v, %v", ok, err)
			}
			for _, wrong := range []string{v.Password + "x", strings.ToUpper(v.Password) + "!", ""} {
				if wrong == v.Password {
					continue
				}
				if ok, err := foreignHasher.VerifyForeign(context.Background(), wrong, v.Encoded, allow); ok || err != nil {
					t.Errorf("wrong password %q: %v, %v", wrong, ok, err)
				}
			}
			changed := mutate(v.Encoded)
			if ok, err := foreignHasher.VerifyForeign(context.Background(), v.Password, changed, allow); ok || (err != nil && !errors.Is(err, password.ErrMalformedHash)) {
				t.Errorf("changed hash %q: %v, %v", changed, ok, err)
			}
			ok, err := foreignHasher.VerifyForeign(context.Background(), v.Password, v.Encoded, password.ForeignOptions{})
			if legacyHashers[v.Hasher] {
				if ok || !errors.Is(err, password.ErrLegacyHash) {
					t.Errorf("legacy by default: %v, %v; want ErrLegacyHash", ok, err)
				}
			} else if !ok || err != nil {
				t.Errorf("default options: %v, %v", ok, err)
			}
		})
	}
}

func TestVerifyForeignGeneric(t *testing.T) {
	b2b, err := bcrypt.GenerateFromPassword([]byte("correct horse"), 4)
	if err != nil {
		t.Fatal(err)
	}
	long72 := strings.Repeat("a", 72)
	bLong, err := bcrypt.GenerateFromPassword([]byte(long72), 4)
	if err != nil {
		t.Fatal(err)
	}
	own := mustHash(t, newHasher(t, cheapParams, 1), "password")
	tests := []struct {
		name, encoded, password string
		want                    bool
	}{
		{"bcrypt $2b$", string(b2b), "correct horse", true},
		{"bcrypt $2a$", "$2a" + string(b2b[3:]), "correct horse", true},
		{"bcrypt $2y$", "$2y" + string(b2b[3:]), "correct horse", true},
		{"bcrypt wrong", string(b2b), "correct horsE", false},
		{"bcrypt 72 bytes", string(bLong), long72, true},
		{"bcrypt 73 bytes not truncated", string(bLong), long72 + "b", false},
		{"PHC argon2id", refPHC, "password", true},
		{"PHC argon2id wrong", refPHC, "Password", false},
		{"Tessera's own", own, "password", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, err := foreignHasher.VerifyForeign(context.Background(), tt.password, tt.encoded, password.ForeignOptions{})
			if ok != tt.want || err != nil {
				t.Fatalf("VerifyForeign = %v, %v; want %v, nil", ok, err, tt.want)
			}
		})
	}
	if password.IsForeign(own) || password.IsForeign(refPHC) {
		t.Error("IsForeign is true for Tessera's own argon2id PHC string")
	}
	if !password.IsForeign(string(b2b)) {
		t.Error("IsForeign is false for bcrypt")
	}
}

func TestVerifyForeignSentinels(t *testing.T) {
	tests := []struct {
		name, encoded string
		want          error
	}{
		{"unusable", "!Q2ZxyFu3xOj2bTqXhDTkdeWkiBGn3Em01cvjjB6a", password.ErrUnusable},
		{"unusable empty", "!", password.ErrUnusable},
		{"empty", "", password.ErrUnknownFormat},
		{"plain text", "hunter2", password.ErrUnknownFormat},
		{"unknown algorithm", "sha256$salt$abcdef", password.ErrUnknownFormat},
		{"33 hex digits", strings.Repeat("a", 33), password.ErrUnknownFormat},
		{"upper-case md5", strings.Repeat("A", 32), password.ErrUnknownFormat},
		{"too long", "pbkdf2_sha256$1000$" + strings.Repeat("s", 2000) + "$AAAA", password.ErrUnknownFormat},
		{"PHC argon2d", "$argon2d$v=19$m=64,t=1,p=1$c29tZXNhbHQ$c29tZXNhbHRzb21lc2FsdA", password.ErrUnknownFormat},
		{"md5 legacy", "md5$salt$" + strings.Repeat("0", 32), password.ErrLegacyHash},
		{"crypt", "crypt$$RYKTDaQE357xk", password.ErrLegacyHash},
		{"pbkdf2 missing field", "pbkdf2_sha256$1000$salt", password.ErrMalformedHash},
		{"pbkdf2 short hash", "pbkdf2_sha256$1000$salt$AAAA", password.ErrMalformedHash},
		{"pbkdf2 leading zero", "pbkdf2_sha256$01000$salt$XkJs9gotLCz5pv8iB9ZtUVF8LPi19rmpIkD9PjXN2Mo=", password.ErrMalformedHash},
		{"argon2 v=16", "argon2$argon2id$v=16$m=64,t=1,p=2$c29tZXNhbHQ$c29tZXNhbHRzb21lc2FsdA", password.ErrMalformedHash},
		{"bcrypt short", "bcrypt$$2b$04$abc", password.ErrMalformedHash},
		{"bcrypt_sha256 not bcrypt", "bcrypt_sha256$$argon2id$v=19", password.ErrMalformedHash},
		{"scrypt bad base64", "scrypt$1024$salt$8$1$!!!!", password.ErrMalformedHash},
		{"sha1 bad hex", "sha1$salt$xyz", password.ErrMalformedHash},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, err := foreignHasher.VerifyForeign(context.Background(), "pw", tt.encoded, password.ForeignOptions{AllowLegacy: tt.want != password.ErrLegacyHash})
			if ok || !errors.Is(err, tt.want) {
				t.Fatalf("VerifyForeign = %v, %v; want %v", ok, err, tt.want)
			}
		})
	}
}

// hostileForeign are hashes whose parameters would make one verification
// cost minutes or gigabytes; VerifyForeign refuses each before computing.
var hostileForeign = []struct{ name, encoded string }{
	{"pbkdf2 iterations over 10M", "pbkdf2_sha256$10000001$salt$XkJs9gotLCz5pv8iB9ZtUVF8LPi19rmpIkD9PjXN2Mo="},
	{"pbkdf2 iterations 2^32-1", "pbkdf2_sha1$4294967295$salt$RxpcVBRIXUJudS6ps46VOfkTHqc="},
	{"pbkdf2 iterations 2^64", "pbkdf2_sha256$18446744073709551616$salt$XkJs9gotLCz5pv8iB9ZtUVF8LPi19rmpIkD9PjXN2Mo="},
	{"argon2 memory over 1 GiB", "argon2$argon2id$v=19$m=1048577,t=1,p=1$c29tZXNhbHQ$c29tZXNhbHRzb21lc2FsdA"},
	{"argon2 memory 4 GiB", "$argon2id$v=19$m=4194304,t=1,p=1$c29tZXNhbHQ$c29tZXNhbHRzb21lc2FsdA"},
	{"argon2 m*t over 2 GiB", "argon2$argon2id$v=19$m=1048576,t=3,p=1$c29tZXNhbHQ$c29tZXNhbHRzb21lc2FsdA"},
	{"argon2 t over 100", "argon2$argon2i$v=19$m=64,t=101,p=1$c29tZXNhbHQ$c29tZXNhbHRzb21lc2FsdA"},
	{"scrypt N over 2^20", "scrypt$2097152$salt$8$1$" + strings.Repeat("A", 86) + "=="},
	{"scrypt N not a power of two", "scrypt$1000$salt$8$1$" + strings.Repeat("A", 86) + "=="},
	{"scrypt r*p over 64", "scrypt$1024$salt$8$9$" + strings.Repeat("A", 86) + "=="},
	{"scrypt memory over 1 GiB", "scrypt$1048576$salt$16$1$" + strings.Repeat("A", 86) + "=="},
	{"scrypt 128*N*r*p over 1 GiB", "scrypt$524288$salt$8$3$" + strings.Repeat("A", 86) + "=="},
	{"scrypt p huge", "scrypt$1024$salt$1$4294967295$" + strings.Repeat("A", 86) + "=="},
	{"bcrypt cost 17", "bcrypt$$2b$17$X28HphLUNwrvqlnvJBEF4uIqC7S6lX6NcqxFl1Amxv7a7YMF9dRt."},
	{"bcrypt cost 31", "$2a$31$X28HphLUNwrvqlnvJBEF4uIqC7S6lX6NcqxFl1Amxv7a7YMF9dRt."},
	{"bcrypt_sha256 cost 20", "bcrypt_sha256$$2b$20$Lwnsz34CMPvFRKLyZ8rFIekShiDdcuJYuFcLmLRAyFpeUcf2zRe.O"},
}

func TestVerifyForeignRefusesHostileParams(t *testing.T) {
	for _, tt := range hostileForeign {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			ok, err := foreignHasher.VerifyForeign(context.Background(), "pw", tt.encoded, password.ForeignOptions{})
			if d := time.Since(start); d > 100*time.Millisecond {
				t.Errorf("took %v to refuse", d)
			}
			if ok || !errors.Is(err, password.ErrMalformedHash) {
				t.Fatalf("VerifyForeign = %v, %v; want ErrMalformedHash", ok, err)
			}
		})
	}
}

// costlyForeign matches inputs the fuzzer should parse but not compute:
// valid costs up to the bounds take seconds each.
var (
	decimalRun   = regexp.MustCompile(`[0-9]+`)
	bcryptCostRE = regexp.MustCompile(`\$2[aby]\$([0-9][0-9])\$`)
)

func costlyForeign(s string) bool {
	for _, d := range decimalRun.FindAllString(s, -1) {
		if n, err := strconv.ParseUint(d, 10, 64); err != nil || n > 4096 {
			return true
		}
	}
	m := bcryptCostRE.FindStringSubmatch(s)
	return m != nil && m[1] > "06"
}

func FuzzVerifyForeign(f *testing.F) {
	for _, v := range loadDjangoVectors(f) {
		f.Add(v.Encoded, v.Password, true)
	}
	for _, h := range hostileForeign {
		f.Add(h.encoded, "pw", false)
	}
	f.Add("!", "", false)
	f.Add("md5$$"+strings.Repeat("0", 32), "x", true)
	f.Fuzz(func(t *testing.T, encoded, pw string, legacy bool) {
		if costlyForeign(encoded) {
			t.Skip("costs beyond what a fuzzer can afford per input")
		}
		ok, err := foreignHasher.VerifyForeign(context.Background(), pw, encoded, password.ForeignOptions{AllowLegacy: legacy})
		if ok && err != nil {
			t.Fatalf("ok with error %v", err)
		}
		if err != nil && !errors.Is(err, password.ErrMalformedHash) && !errors.Is(err, password.ErrUnknownFormat) &&
			!errors.Is(err, password.ErrLegacyHash) && !errors.Is(err, password.ErrUnusable) {
			t.Fatalf("error %v wraps no sentinel", err)
		}
	})
}

// Django's UnsaltedMD5PasswordHasher also accepts its digest behind "md5$$".
func TestVerifyForeignPrefixedUnsaltedMD5(t *testing.T) {
	for _, v := range loadDjangoVectors(t) {
		if v.Hasher != "unsalted_md5" {
			continue
		}
		t.Run(v.Encoded, func(t *testing.T) {
			prefixed := "md5$$" + v.Encoded
			if ok, err := foreignHasher.VerifyForeign(context.Background(), v.Password, prefixed, password.ForeignOptions{AllowLegacy: true}); !ok || err != nil {
				t.Fatalf("allowed: %v, %v", ok, err)
			}
			if ok, err := foreignHasher.VerifyForeign(context.Background(), v.Password+"x", prefixed, password.ForeignOptions{AllowLegacy: true}); ok || err != nil {
				t.Fatalf("wrong password: %v, %v", ok, err)
			}
			if ok, err := foreignHasher.VerifyForeign(context.Background(), v.Password, prefixed, password.ForeignOptions{}); ok || !errors.Is(err, password.ErrLegacyHash) {
				t.Fatalf("default: %v, %v; want ErrLegacyHash", ok, err)
			}
		})
	}
}
