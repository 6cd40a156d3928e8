package main

import (
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// djangoExpect is one user of a dump made by
// internal/importer/testdata/make_django_dump.py, and what an import must
// make of it.
type djangoExpect struct {
	Username  string   `json:"username"`
	Email     string   `json:"email"`
	Password  string   `json:"password"`
	Hasher    string   `json:"hasher"`
	Outcome   string   `json:"outcome"`
	Reason    string   `json:"reason"`
	Legacy    bool     `json:"legacy"`
	Admin     bool     `json:"admin"`
	Staff     bool     `json:"staff"`
	Verified  bool     `json:"verified"`
	MustReset bool     `json:"must_reset"`
	Inactive  bool     `json:"inactive"`
	Collides  bool     `json:"collides"`
	Token     string   `json:"token"`
	Groups    []string `json:"groups"`
}

const fixtureDir = "../../internal/importer/testdata"

// fixtureAbs is fixtureDir from the package folder, for tests that change
// the working folder.
var fixtureAbs, _ = filepath.Abs(fixtureDir)

// reversedDump writes the objects of dump in reverse order to a new file:
// an import must not depend on dumpdata's model order.
func reversedDump(t *testing.T, dump string) string {
	t.Helper()
	data, err := os.ReadFile(dump)
	if err != nil {
		t.Fatal(err)
	}
	var objs []json.RawMessage
	if err := json.Unmarshal(data, &objs); err != nil {
		t.Fatal(err)
	}
	slices.Reverse(objs)
	out, _ := json.Marshal(objs)
	path := filepath.Join(t.TempDir(), "reversed.json")
	if err := os.WriteFile(path, out, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// checkDjangoImport imports the dump in dir (made by
// make_django_dump.py) and signs every user in through the HTTP API.
func checkDjangoImport(t *testing.T, databaseURL, dir, dump string) {
	ts := operatorTessera(t, databaseURL)
	var expect []djangoExpect
	data, err := os.ReadFile(filepath.Join(dir, "django_expect.json"))
	if err != nil {
		data, err = os.ReadFile(filepath.Join(dir, "expect.json"))
	}
	if err != nil || json.Unmarshal(data, &expect) != nil {
		t.Fatalf("expect.json: %v", err)
	}
	file := reversedDump(t, filepath.Join(dir, dump))

	dry := mustOperate(t, "", "import", "django", file, "--dry-run", "--json")
	var rep struct {
		DryRun    bool             `json:"dry_run"`
		Users     map[string]int   `json:"users"`
		Tokens    map[string]int   `json:"tokens"`
		Addresses map[string]int   `json:"email_addresses"`
		Skips     []map[string]any `json:"skips"`
		MustReset map[string]int   `json:"must_reset"`
	}
	// A dry run writes nothing, so it cannot see two users of the same
	// dump collide: it finds 15 to create where the real run makes 14.
	if err := json.Unmarshal([]byte(dry), &rep); err != nil || !rep.DryRun || rep.Users["created"] != 15 ||
		rep.Users["skipped"] != 1 || rep.Tokens["created"] != 1 {
		t.Fatalf("dry run: %v\n%s", err, dry)
	}
	c := ts.NewClient(t)
	c.Do("POST", "/v1/auth/login", map[string]any{"email": "boss@example.com", "password": cliPassword}).WantError(t, 400, "invalid_credentials")

	out := mustOperate(t, "", "import", "django", file, "--json")
	if err := json.Unmarshal([]byte(out), &rep); err != nil || rep.DryRun {
		t.Fatalf("import: %v\n%s", err, out)
	}
	if rep.Users["created"] != 14 || rep.Users["skipped"] != 2 || rep.Tokens["created"] != 1 || rep.Addresses["updated"] != 1 {
		t.Fatalf("report: %s", out)
	}
	if n := rep.MustReset[`unusable password (Django's "!")`]; n != 1 {
		t.Fatalf("must reset: %v", rep.MustReset)
	}
	legacyRefused := 0
	for reason, n := range rep.MustReset {
		if strings.HasPrefix(reason, "legacy ") {
			legacyRefused += n
		}
	}
	if legacyRefused != 4 {
		t.Fatalf("legacy hashes refused: %v", rep.MustReset)
	}
	for _, e := range expect {
		if e.Outcome != "skipped" {
			continue
		}
		if !slices.ContainsFunc(rep.Skips, func(s map[string]any) bool {
			return strings.Contains(s["reason"].(string), e.Reason)
		}) {
			t.Errorf("no skip %q in %v", e.Reason, rep.Skips)
		}
	}
	// With legacy digests allowed, a second run keeps them.
	out = mustOperate(t, "", "import", "django", file, "--allow-legacy-hashes", "--json")
	if err := json.Unmarshal([]byte(out), &rep); err != nil || rep.Users["created"] != 0 || rep.Users["updated"] != 4 {
		t.Fatalf("second import: %v\n%s", err, out)
	}

	for _, e := range expect {
		if e.Outcome == "skipped" {
			continue
		}
		t.Run(e.Username, func(t *testing.T) {
			login := c.Do("POST", "/v1/auth/login", map[string]any{"email": e.Email, "password": cliPassword})
			if e.MustReset || e.Inactive {
				login.WantError(t, 400, "invalid_credentials")
				return
			}
			login.Want(t, 200)
			c.Do("POST", "/v1/auth/login", map[string]any{"email": e.Email, "password": cliPassword + "x"}).WantError(t, 400, "invalid_credentials")
			if e.Collides {
				return // which of the two colliding users exists depends on the order met
			}
			c.Do("POST", "/v1/auth/login", map[string]any{"username": e.Username, "password": cliPassword}).Want(t, 200)
			user := decode(t, []byte(mustOperate(t, "", "users", "show", e.Email, "--json"))).(map[string]any)
			if user["email_verified"] != e.Verified {
				t.Errorf("email_verified = %v, want %v", user["email_verified"], e.Verified)
			}
			var roles []string
			for _, r := range user["roles"].([]any) {
				roles = append(roles, r.(string))
			}
			want := slices.Clone(e.Groups)
			if e.Admin {
				want = append(want, "admin")
			}
			slices.Sort(want)
			if strings.Join(roles, ",") != strings.Join(want, ",") {
				t.Errorf("roles = %v, want %v", roles, want)
			}
			if e.Token != "" {
				c.Do("GET", "/v1/auth/me", nil, "Authorization: Token "+e.Token).Want(t, http.StatusOK)
				c.Do("GET", "/v1/auth/me", nil, "Authorization: Token "+strings.ToUpper(e.Token)).Want(t, 401)
			}
		})
	}
	stats := mustOperate(t, "", "users", "stats", "--json")
	var st struct {
		Foreign int64 `json:"foreign_remaining"`
		Legacy  int64 `json:"legacy_remaining"`
	}
	// Only the inactive account, which cannot sign in, keeps its hash.
	if err := json.Unmarshal([]byte(stats), &st); err != nil || st.Foreign != 1 || st.Legacy != 0 {
		t.Fatalf("after every login, stats = %s (%v)", stats, err)
	}
	// A third run changes nothing, and duplicates nobody.
	out = mustOperate(t, "", "import", "django", file, "--allow-legacy-hashes", "--json")
	if err := json.Unmarshal([]byte(out), &rep); err != nil || rep.Users["created"] != 0 || rep.Users["updated"] != 0 || rep.Users["unchanged"] != 14 {
		t.Fatalf("third import: %v\n%s", err, out)
	}
}

// TestImportDjangoFixture imports the committed dumps (ids and natural
// keys), made by real Django with make_django_dump.py, on each database.
func TestImportDjangoFixture(t *testing.T) {
	for _, dump := range []string{"django_dump.json", "django_dump_natural.json"} {
		t.Run(dump, func(t *testing.T) {
			eachDatabase(t, func(t *testing.T, databaseURL string) {
				checkDjangoImport(t, databaseURL, fixtureDir, dump)
			})
		})
	}
}

// TestImportLiveDjango builds a Django project with Debian's Django, REST
// framework and allauth, dumps it and imports the dump. Where they are
// missing the test skips, unless TESSERA_TEST_REQUIRE_DJANGO=1 (CI) makes
// that a failure.
func TestImportLiveDjango(t *testing.T) {
	const python = "/usr/bin/python3"
	probe := exec.Command(python, "-c", "import django, rest_framework, allauth")
	if err := probe.Run(); err != nil {
		if os.Getenv("TESSERA_TEST_REQUIRE_DJANGO") == "1" {
			t.Fatalf("Django is required (TESSERA_TEST_REQUIRE_DJANGO=1): %v", err)
		}
		t.Skipf("Debian's python3-django, python3-djangorestframework and python3-django-allauth are not installed: %v", err)
	}
	dir := t.TempDir()
	cmd := exec.Command(python, filepath.Join(fixtureDir, "make_django_dump.py"), dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make_django_dump.py: %v\n%s", err, out)
	}
	checkDjangoImport(t, "sqlite://"+filepath.Join(t.TempDir(), "tessera.db"), dir, "dump.json")
}

// TestImportRefusesBadInput: a file that is not a dump, a missing file and
// a bad --admin-from fail with a message, writing nothing.
func TestImportRefusesBadInput(t *testing.T) {
	operatorTessera(t, "sqlite://"+filepath.Join(t.TempDir(), "tessera.db"))
	dir := t.TempDir()
	notArray := filepath.Join(dir, "object.json")
	truncated := filepath.Join(dir, "truncated.json")
	_ = os.WriteFile(notArray, []byte(`{"model": "auth.user"}`), 0o600)
	_ = os.WriteFile(truncated, []byte(`[{"model": "auth.user", "pk": 1, "fields": {"email": "a@example.com"`), 0o600)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"not an array", []string{"import", "django", notArray}, "not a dumpdata JSON array"},
		{"truncated", []string{"import", "django", truncated}, "unexpected EOF"},
		{"missing", []string{"import", "django", filepath.Join(dir, "nope.json")}, "no such file"},
		{"admin-from", []string{"import", "django", notArray, "--admin-from", "everyone"}, "--admin-from"},
		{"jsonl syntax", []string{"import", "users", notArray + "x"}, "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := operate(t, "", tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("%v: got %v, want an error containing %q", tt.args, err, tt.want)
			}
		})
	}
	if out := mustOperate(t, "", "users", "stats", "--json"); !strings.Contains(out, `"total": 0`) {
		t.Fatalf("bad input wrote users: %s", out)
	}
}
