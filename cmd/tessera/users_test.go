package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/tessera-id/tessera/internal/config"
	"github.com/tessera-id/tessera/internal/server/servertest"
	"github.com/tessera-id/tessera/internal/store/sqlstore"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
)

const cliPassword = "correct horse battery staple"

// operatorTessera starts a test server over databaseURL and points the
// operator commands (through TESSERA_DATABASE_URL and TESSERA_KEYS_DIR)
// at the same database and keys.
func operatorTessera(t *testing.T, databaseURL string) *servertest.TestServer {
	t.Helper()
	db, err := sqlstore.Open(t.Context(), databaseURL, sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	keysDir := filepath.Join(t.TempDir(), "keys")
	ts := servertest.Start(t, db, func(c *config.Config) { c.KeysDir = keysDir })
	t.Setenv("TESSERA_DATABASE_URL", databaseURL)
	t.Setenv("TESSERA_KEYS_DIR", keysDir)
	t.Setenv("TESSERA_LOG_LEVEL", "error")
	return ts
}

// eachDatabase runs fn on SQLite and on Postgres, as sqltest.Each does,
// with a database URL an operator command can open too.
func eachDatabase(t *testing.T, fn func(t *testing.T, databaseURL string)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, "sqlite://"+filepath.Join(t.TempDir(), "tessera.db")) })
	t.Run("postgres", func(t *testing.T) { fn(t, sqltest.URLForPostgres(t)) })
}

// operate runs one operator command in-process with stdin and returns
// its standard output and error.
func operate(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	root := newRoot()
	root.SetIn(strings.NewReader(stdin))
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.SetArgs(args)
	err := root.ExecuteContext(t.Context())
	return out.String(), err
}

// mustOperate is operate that fails the test on an error.
func mustOperate(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	out, err := operate(t, stdin, args...)
	if err != nil {
		t.Fatalf("tessera %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func decode(t *testing.T, data []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, data)
	}
	return v
}

// sameData fails unless `tessera args... --json` prints what GET path
// answers.
func sameData(t *testing.T, c *servertest.Client, admin, path string, args ...string) {
	t.Helper()
	api := decode(t, c.Do("GET", path, nil, admin).Want(t, 200).Body)
	cli := decode(t, []byte(mustOperate(t, "", append(args, "--json")...)))
	if !reflect.DeepEqual(api, cli) {
		t.Fatalf("tessera %s and GET %s differ:\nCLI %v\nAPI %v", strings.Join(args, " "), path, cli, api)
	}
}

// TestCLIAndAPIShowTheSameData bootstraps the first admin from the command
// line, then reads and changes the same data through both doors.
func TestCLIAndAPIShowTheSameData(t *testing.T) {
	eachDatabase(t, func(t *testing.T, databaseURL string) {
		ts := operatorTessera(t, databaseURL)
		mustOperate(t, cliPassword+"\n", "users", "create", "--email", "root@example.com", "--admin", "--password-stdin")
		c := ts.NewClient(t)
		root := c.Do("POST", "/v1/auth/login", map[string]any{"email": "root@example.com", "password": cliPassword}).Want(t, 200)
		admin := "Authorization: Bearer " + root.Str("access_token")
		ada := c.Do("POST", "/v1/auth/register", map[string]any{"email": "ada@example.com", "password": cliPassword}).Want(t, 201)
		adaID := ada.JSON()["user"].(map[string]any)["id"].(string)
		phone := c.Do("POST", "/v1/auth/login", map[string]any{"email": "ada@example.com", "password": cliPassword, "device_name": "phone"}).Want(t, 200)
		mustOperate(t, "", "clients", "add", "mobile", "--name", "Mobile", "--idle-ttl", "2160h", "--origins", "https://m.example")

		sameData(t, c, admin, "/v1/admin/users", "users", "list")
		sameData(t, c, admin, "/v1/admin/users?email_prefix=ad&limit=1", "users", "list", "--email-prefix", "AD", "--limit", "1")
		sameData(t, c, admin, "/v1/admin/users/"+adaID, "users", "show", "ada@example.com")
		sameData(t, c, admin, "/v1/admin/users/"+adaID+"/sessions", "sessions", "list", "--user", "ada@example.com")
		sameData(t, c, admin, "/v1/admin/clients", "clients", "list")
		sameData(t, c, admin, "/v1/admin/audit?limit=20", "audit", "tail", "--n", "20")
		sameData(t, c, admin, "/v1/admin/audit?user_id="+adaID, "audit", "tail", "--user", adaID)

		// The running server learns the new client's origin on first use.
		r := c.Do("OPTIONS", "/v1/auth/login", nil, "Origin: https://m.example", "Access-Control-Request-Method: POST").Want(t, 204)
		if r.Header.Get("Access-Control-Allow-Origin") != "https://m.example" {
			t.Fatalf("origin of a client added from the command line: %v", r.Header)
		}

		// Changes from the command line take effect on the server at once.
		mustOperate(t, "", "sessions", "revoke", phone.Str("session_id"))
		c.Do("GET", "/v1/auth/me", nil, "Authorization: Bearer "+phone.Str("access_token")).WantError(t, 401, "invalid_token")
		c.Do("GET", "/v1/auth/me", nil, "Authorization: Bearer "+ada.Str("access_token")).Want(t, 200)
		mustOperate(t, "", "users", "disable", "ada@example.com")
		c.Do("GET", "/v1/auth/me", nil, "Authorization: Bearer "+ada.Str("access_token")).WantError(t, 401, "invalid_token")
		if got := c.Do("GET", "/v1/admin/users/"+adaID, nil, admin).Want(t, 200); got.JSON()["is_active"] != false {
			t.Fatalf("after users disable: %s", got.Body)
		}
		ev := c.Do("GET", "/v1/admin/audit?event=admin_session_revoked", nil, admin).Want(t, 200)
		e := ev.JSON()["events"].([]any)[0].(map[string]any)
		if e["actor_id"] != nil || e["details"].(map[string]any)["operator"] == "" {
			t.Fatalf("a command-line action is audited with the operator and no actor id: %v", e)
		}
	})
}

// TestUsersToken: `tessera users token` prints the key the API hands out,
// and --rotate replaces it.
func TestUsersToken(t *testing.T) {
	ts := operatorTessera(t, "sqlite://"+filepath.Join(t.TempDir(), "tessera.db"))
	c := ts.NewClient(t)
	c.Do("POST", "/v1/auth/register", map[string]any{"email": "drf@example.com", "password": cliPassword}).Want(t, 201)
	key := strings.TrimSpace(mustOperate(t, "", "users", "token", "drf@example.com"))
	api := c.Do("POST", "/v1/auth/token", map[string]any{"email": "drf@example.com", "password": cliPassword}).Want(t, 200)
	if !strings.HasPrefix(key, "tsk_") || api.Str("token") != key {
		t.Fatalf("CLI key %q, API key %q", key, api.Str("token"))
	}
	rotated := decode(t, []byte(mustOperate(t, "", "users", "token", "drf@example.com", "--rotate", "--json"))).(map[string]any)
	if rotated["token"] == key || rotated["token_type"] != "Token" {
		t.Fatalf("rotated: %v", rotated)
	}
	c.Do("GET", "/v1/auth/me", nil, "Authorization: Token "+key).WantError(t, 401, "invalid_token")
	c.Do("GET", "/v1/auth/me", nil, "Authorization: Token "+rotated["token"].(string)).Want(t, http.StatusOK)
	if _, err := operate(t, "", "users", "token", "nobody@example.com"); err == nil || !strings.Contains(err.Error(), "no user") {
		t.Fatalf("token of an unknown user: %v", err)
	}
}

// TestUsersCreateRefusesWeakPasswords: the policy's own messages, and no
// account.
func TestUsersCreateRefusesWeakPasswords(t *testing.T) {
	operatorTessera(t, "sqlite://"+filepath.Join(t.TempDir(), "tessera.db"))
	for _, tc := range []struct{ name, password, want string }{
		{"too short", "short\n", "password: "},
		{"common", "password1234\n", "password: "},
		{"empty", "\n", "password: this field is required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := operate(t, tc.password, "users", "create", "--email", "weak@example.com", "--admin", "--password-stdin")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("weak password %q: %v; want an error with %q", tc.password, err, tc.want)
			}
		})
	}
	if _, err := operate(t, "", "users", "show", "weak@example.com"); err == nil {
		t.Fatal("a weak password created the account")
	}
	_, err := operate(t, cliPassword+"\n", "users", "create", "--email", "weak@example.com")
	if err == nil || !strings.Contains(err.Error(), "--password-stdin") {
		t.Fatalf("no terminal and no --password-stdin: %v", err)
	}
	out := mustOperate(t, cliPassword+"\r\n", "users", "create", "--email", "ok@example.com", "--password-stdin")
	if !strings.Contains(out, "ok@example.com") || !strings.Contains(out, "EMAIL") {
		t.Fatalf("table output:\n%s", out)
	}
	if _, err := operate(t, cliPassword+"\n", "users", "create", "--email", "OK@example.com", "--password-stdin"); err == nil ||
		!strings.Contains(err.Error(), "email: is taken") {
		t.Fatalf("taken e-mail: %v", err)
	}
}
