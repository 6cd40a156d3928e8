package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// djangoPBKDF2 is "correct horse battery staple" (cliPassword) as Django's
// PBKDF2PasswordHasher wrote it (internal/password/testdata).
const djangoPBKDF2 = "pbkdf2_sha256$1000$Y2D1Cv9ri8cUn2s4QbtQGc$XaEeezrwjCcX5Iz/LEbvPFljniaM9RlwV6wV5Kl83uw="

// writeDumpFile writes v as JSON to a new folder and returns its path.
func writeDumpFile(t *testing.T, v any) string {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "dump.json")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// djangoUserObject is one auth.user of a dumpdata file.
func djangoUserObject(pk int, username, email, hash string) map[string]any {
	return map[string]any{"model": "auth.user", "pk": pk, "fields": map[string]any{
		"password": hash, "last_login": nil, "is_superuser": false, "username": username,
		"first_name": "", "last_name": "", "email": email, "is_staff": false, "is_active": true,
		"date_joined": "2020-01-02T03:04:05Z", "groups": []any{}, "user_permissions": []any{}}}
}

// importReport is the part of `import django --json` these tests read.
type importReport struct {
	Users     map[string]int   `json:"users"`
	Tokens    map[string]int   `json:"tokens"`
	Addresses map[string]int   `json:"email_addresses"`
	Skips     []map[string]any `json:"skips"`
	MustReset map[string]int   `json:"must_reset"`
}

func importDjango(t *testing.T, file string, args ...string) importReport {
	t.Helper()
	out := mustOperate(t, "", append([]string{"import", "django", file, "--json"}, args...)...)
	var rep importReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	return rep
}

// TestImportNaturalKeyOfSkippedUser: Django usernames are case-sensitive,
// so "Bob" and "bob" are two accounts; Tessera keeps the first and skips
// the second. With --natural-foreign the second one's token and address
// name it ["bob"], which must not land on Bob's account.
func TestImportNaturalKeyOfSkippedUser(t *testing.T) {
	eachDatabase(t, func(t *testing.T, databaseURL string) {
		ts := operatorTessera(t, databaseURL)
		key := strings.Repeat("ab", 20)
		file := writeDumpFile(t, []any{
			djangoUserObject(1, "Bob", "bob@example.com", djangoPBKDF2),
			djangoUserObject(2, "bob", "robert@example.com", djangoPBKDF2),
			map[string]any{"model": "authtoken.token", "pk": key, "fields": map[string]any{
				"user": []string{"bob"}, "created": "2021-01-01T00:00:00Z"}},
			map[string]any{"model": "account.emailaddress", "pk": 7, "fields": map[string]any{
				"user": []string{"bob"}, "email": "bob@example.com", "verified": true, "primary": false}},
		})
		rep := importDjango(t, file)
		if rep.Users["created"] != 1 || rep.Users["skipped"] != 1 || rep.Tokens["skipped"] != 1 ||
			rep.Tokens["created"] != 0 || rep.Addresses["updated"] != 0 {
			t.Fatalf("report %+v", rep)
		}
		c := ts.NewClient(t)
		c.Do("GET", "/v1/auth/me", nil, "Authorization: Token "+key).Want(t, 401)
		user := decode(t, []byte(mustOperate(t, "", "users", "show", "bob@example.com", "--json"))).(map[string]any)
		if user["email_verified"] != false {
			t.Fatalf("Bob's address was verified by bob's record: %v", user)
		}
	})
}

// TestImportReportsUnverifiableHashes: a hash of a scheme Tessera knows but
// whose syntax or costs it refuses at login imports the account with an
// unusable password, counted among those that must reset it, instead of a
// hash no password will ever match.
func TestImportReportsUnverifiableHashes(t *testing.T) {
	hashes := []string{
		// Django 1.10's argon2 layout without a version (Argon2 1.0), which
		// Django's test suite still verifies with "secret".
		"argon2$argon2i$m=8,t=1,p=1$c29tZXNhbHQ$gwQOXSNhxiOxPOA0+PY10P9QFO4NAYysnqRt1GSQLE55m+2GYDt9FEjPMHhP2Cuf0nOEXXMocVrsJAtNSsKyfg",
		djangoPBKDF2[:len(djangoPBKDF2)-10],
		"bcrypt$$2b$17$X28HphLUNwrvqlnvJBEF4uIqC7S6lX6NcqxFl1Amxv7a7YMF9dRt.",
		"bcrypt_sha256$$2b$04$!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!",
		"scrypt$1000$salt$8$1$" + strings.Repeat("A", 86) + "==",
	}
	objs := []any{djangoUserObject(1, "ok", "ok@example.com", djangoPBKDF2)}
	for i, h := range hashes {
		objs = append(objs, djangoUserObject(i+2, fmt.Sprintf("u%d", i), fmt.Sprintf("u%d@example.com", i), h))
	}
	eachDatabase(t, func(t *testing.T, databaseURL string) {
		ts := operatorTessera(t, databaseURL)
		file := writeDumpFile(t, objs)
		for _, dry := range []bool{true, false} {
			var args []string
			if dry {
				args = append(args, "--dry-run")
			}
			rep := importDjango(t, file, args...)
			mustReset := 0
			for reason, n := range rep.MustReset {
				if strings.Contains(reason, "malformed") {
					mustReset += n
				}
			}
			if rep.Users["created"] != len(objs) || mustReset != len(hashes) {
				t.Fatalf("dry run %v: report %+v, want %d created and %d to reset", dry, rep, len(objs), len(hashes))
			}
		}
		c := ts.NewClient(t)
		c.Do("POST", "/v1/auth/login", map[string]any{"email": "ok@example.com", "password": cliPassword}).Want(t, 200)
		stats := decode(t, []byte(mustOperate(t, "", "users", "stats", "--json"))).(map[string]any)
		if stats["foreign_remaining"] != float64(0) {
			t.Fatalf("unverifiable hashes were stored as foreign hashes: %v", stats)
		}
	})
}
