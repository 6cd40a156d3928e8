package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/spf13/cobra"

	"github.com/tessera-id/tessera/internal/config"
	"github.com/tessera-id/tessera/internal/keys"
)

// leafCommands returns the path of every runnable command, e.g. "users list".
func leafCommands() []string {
	var out []string
	var walk func(c *cobra.Command, path string)
	walk = func(c *cobra.Command, path string) {
		if !c.HasSubCommands() {
			out = append(out, strings.TrimSpace(path))
			return
		}
		for _, sub := range c.Commands() {
			walk(sub, path+" "+sub.Name())
		}
	}
	walk(newRoot(), "")
	return out
}

// emptyDir fails unless dir holds nothing.
func emptyDir(t *testing.T, dir string) {
	t.Helper()
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Fatalf("%s is not empty: %v", dir, names)
	}
}

// TestEveryCommandReadsTheEnvironment runs every command but serve (see
// TestServeReadsTheEnvironment) in an empty working folder with its
// settings given only as TESSERA_* variables: each uses the database and
// keys they name, reads the settings it shows no flag for, and nothing
// appears in the working folder (the defaults would have made ./data and
// ./keys).
func TestEveryCommandReadsTheEnvironment(t *testing.T) {
	state := t.TempDir()
	dbPath := filepath.Join(state, "db", "tessera.db")
	keysDir := filepath.Join(state, "keys")
	if err := os.Mkdir(filepath.Dir(dbPath), 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TESSERA_DATABASE_URL", "sqlite://"+dbPath)
	t.Setenv("TESSERA_KEYS_DIR", keysDir)
	t.Setenv("TESSERA_LOG_LEVEL", "error")
	work := t.TempDir()
	t.Chdir(work)

	var jwksMaxAge time.Duration
	steps := []struct {
		name    string
		env     map[string]string
		stdin   string
		args    []string
		want    string // in the output, or in the error when wantErr
		wantErr bool
		check   func(t *testing.T, out string)
	}{
		{name: "migrate up", args: []string{"migrate", "up"}, want: "up to date", check: func(t *testing.T, _ string) {
			if _, err := os.Stat(dbPath); err != nil {
				t.Fatalf("TESSERA_DATABASE_URL's file: %v", err)
			}
		}},
		{name: "migrate status", args: []string{"migrate", "status"}, want: "00001"},
		{name: "keys rotate", args: []string{"keys", "rotate"}, want: "active", check: func(t *testing.T, _ string) {
			if names, _ := filepath.Glob(filepath.Join(keysDir, "*.pem")); len(names) != 1 {
				t.Fatalf("keys in TESSERA_KEYS_DIR: %v, want the first one", names)
			}
		}},
		{name: "keys rotate", env: map[string]string{"TESSERA_JWKS_MAX_AGE": "1h"}, args: []string{"keys", "rotate", "--alg", "EdDSA"}, want: "next"},
		{name: "keys list", env: map[string]string{"TESSERA_JWKS_MAX_AGE": "1h"}, args: []string{"keys", "list", "--json"}, check: func(t *testing.T, out string) {
			var list []keys.KeyInfo
			if err := json.Unmarshal([]byte(out), &list); err != nil || len(list) != 2 {
				t.Fatalf("keys: %v %s", err, out)
			}
			// TESSERA_JWKS_MAX_AGE and one keys-dir reload (30 s).
			if jwksMaxAge = list[1].SignsFrom.Sub(list[1].Created); jwksMaxAge != time.Hour+30*time.Second {
				t.Fatalf("the next key signs %v after its creation, want TESSERA_JWKS_MAX_AGE (1h) and 30 s", jwksMaxAge)
			}
		}},
		{name: "keys prune", args: []string{"keys", "prune"}, want: "no retired keys"},
		{name: "users create", env: map[string]string{"TESSERA_PASSWORD_MIN_LENGTH": "40"}, stdin: cliPassword + "\n",
			args: []string{"users", "create", "--email", "root@example.com", "--admin", "--password-stdin"}, want: "password: ", wantErr: true},
		{name: "users create", stdin: cliPassword + "\n",
			args: []string{"users", "create", "--email", "root@example.com", "--admin", "--password-stdin"}, want: "root@example.com"},
		{name: "users list", args: []string{"users", "list"}, want: "root@example.com"},
		{name: "users show", args: []string{"users", "show", "root@example.com"}, want: "root@example.com"},
		{name: "users token", args: []string{"users", "token", "root@example.com"}, want: "tsk_"},
		{name: "users disable", args: []string{"users", "disable", "root@example.com"}, want: "false"},
		{name: "users enable", args: []string{"users", "enable", "root@example.com"}, want: "true"},
		{name: "sessions list", args: []string{"sessions", "list", "--user", "root@example.com"}, want: "CLIENT"},
		{name: "sessions revoke", args: []string{"sessions", "revoke", uuid.NewString()}, want: "session", wantErr: true},
		{name: "clients add", args: []string{"clients", "add", "mobile", "--name", "Mobile"}, want: "mobile"},
		{name: "clients list", args: []string{"clients", "list"}, want: "mobile"},
		{name: "clients update", args: []string{"clients", "update", "mobile", "--name", "Mobile 2"}, want: "Mobile 2"},
		{name: "clients add", args: []string{"clients", "add", "backend", "--name", "Backend", "--confidential"}, want: "tcs_"},
		{name: "clients rotate-secret", args: []string{"clients", "rotate-secret", "backend"}, want: "tcs_"},
		{name: "clients remove", args: []string{"clients", "remove", "mobile"}, want: "removed"},
		{name: "audit tail", args: []string{"audit", "tail"}, want: "admin_client_deleted"},
		{name: "audit prune", env: map[string]string{"TESSERA_AUDIT_RETENTION": "1h"}, args: []string{"audit", "prune"}, want: "older than 1h0m0s"},
		{name: "import django", args: []string{"import", "django", filepath.Join(fixtureAbs, "django_dump.json"), "--dry-run"}, want: "RECORDS"},
		{name: "import users", args: []string{"import", "users", filepath.Join(fixtureAbs, "users.jsonl")}, want: "RECORDS"},
		{name: "users stats", args: []string{"users", "stats"}, want: "total"},
		{name: "version", args: []string{"version"}, want: "tessera "},
	}
	ran := map[string]bool{"serve": true}
	for _, st := range steps {
		ran[st.name] = true
		ok := t.Run(st.name, func(t *testing.T) {
			for k, v := range st.env {
				t.Setenv(k, v)
			}
			out, err := operate(t, st.stdin, st.args...)
			switch {
			case st.wantErr && (err == nil || !strings.Contains(err.Error(), st.want) || errors.Is(err, os.ErrNotExist)):
				t.Fatalf("tessera %s: %v, want an error with %q", strings.Join(st.args, " "), err, st.want)
			case !st.wantErr && err != nil:
				t.Fatalf("tessera %s: %v", strings.Join(st.args, " "), err)
			case !st.wantErr && !strings.Contains(out, st.want):
				t.Fatalf("tessera %s printed %q, want %q", strings.Join(st.args, " "), out, st.want)
			}
			if st.check != nil {
				st.check(t, out)
			}
			emptyDir(t, work)
		})
		if !ok {
			return
		}
	}
	for _, c := range leafCommands() {
		if !ran[c] {
			t.Errorf("command %q is not tested with settings from the environment", c)
		}
	}
}

// TestOperatorCommandsCreateNothing runs each command that works on an
// existing Tessera, as a process, where there is none: it exits non-zero
// with one line saying what is missing, and creates nothing.
func TestOperatorCommandsCreateNothing(t *testing.T) {
	bin := buildBinary(t)
	commands := [][]string{
		{"users", "list"}, {"users", "show", "a@example.com"}, {"users", "disable", "a@example.com"},
		{"users", "enable", "a@example.com"}, {"users", "token", "a@example.com"},
		{"users", "create", "--email", "a@example.com", "--password-stdin"},
		{"sessions", "list", "--user", "a@example.com"}, {"sessions", "revoke", uuid.NewString()},
		{"clients", "list"}, {"clients", "add", "mobile", "--name", "Mobile"}, {"clients", "update", "mobile", "--name", "M"},
		{"clients", "remove", "mobile"}, {"clients", "rotate-secret", "backend"}, {"audit", "tail"}, {"audit", "prune"},
		{"keys", "list"}, {"keys", "prune"}, {"migrate", "status"},
	}
	// A database that exists, without keys: the keys are missing.
	withDB := t.TempDir()
	dbURL := "sqlite://" + filepath.Join(withDB, "tessera.db")
	if out, err := runBinary(t, bin, withDB, []string{"TESSERA_DATABASE_URL=" + dbURL}, "migrate", "up"); err != nil {
		t.Fatalf("migrate up: %v\n%s", err, out)
	}
	setups := []struct {
		name string
		env  []string
		dir  func(t *testing.T) string
		want string
	}{
		{"empty folder", nil, func(t *testing.T) string { return t.TempDir() }, "no Tessera "},
		{"database without keys", []string{"TESSERA_DATABASE_URL=" + dbURL, "TESSERA_KEYS_DIR=" + filepath.Join(withDB, "keys")},
			func(t *testing.T) string { return t.TempDir() }, "no Tessera "},
	}
	for _, s := range setups {
		t.Run(s.name, func(t *testing.T) {
			for _, args := range commands {
				if s.name != "empty folder" && args[0] == "migrate" {
					continue // the database is there
				}
				dir := s.dir(t)
				before, _ := os.ReadDir(withDB)
				out, err := runBinary(t, bin, dir, s.env, args...)
				line := strings.TrimRight(out, "\n")
				if err == nil || strings.Contains(line, "\n") || !strings.HasPrefix(line, "tessera: ") || !strings.Contains(line, s.want) {
					t.Fatalf("tessera %s: exit %v, output %q; want a non-zero exit and one line with %q", strings.Join(args, " "), err, out, s.want)
				}
				emptyDir(t, dir)
				if after, _ := os.ReadDir(withDB); len(after) != len(before) {
					t.Fatalf("tessera %s wrote beside the database: %v -> %v", strings.Join(args, " "), before, after)
				}
			}
		})
	}
}

// runBinary runs the built tessera in dir with no TESSERA_* variable but
// env, and returns its combined output.
func runBinary(t *testing.T, bin, dir string, env []string, args ...string) (string, error) {
	t.Helper()
	var clean []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TESSERA_") {
			clean = append(clean, kv)
		}
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append(clean, env...)
	cmd.Stdin = strings.NewReader(cliPassword + "\n")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// TestHelpShowsOnlyTheFlagsUsed: a command's --help lists the settings it
// uses, not every setting of serve.
func TestHelpShowsOnlyTheFlagsUsed(t *testing.T) {
	for _, c := range leafCommands() {
		t.Run(c, func(t *testing.T) {
			out := runCLI(t, append(strings.Fields(c), "--help")...)
			var want, never []string
			switch group := strings.Fields(c)[0]; group {
			case "serve":
				want = []string{"--cookie-domain", "--database-url", "--keys-dir", "--access-ttl"}
			case "migrate":
				want, never = []string{"--database-url"}, []string{"--keys-dir", "--cookie-domain", "--access-ttl", "--issuer"}
			case "keys":
				want, never = []string{"--keys-dir", "--jwks-max-age"}, []string{"--database-url", "--cookie-domain", "--access-ttl"}
			case "version":
				never = []string{"--database-url", "--cookie-domain"}
			default:
				want, never = []string{"--database-url", "--keys-dir", "--json"}, []string{"--cookie-domain", "--access-ttl", "--issuer", "--smtp-url", "--addr"}
			}
			for _, f := range want {
				if !strings.Contains(out, f+" ") {
					t.Errorf("help lacks %s:\n%s", f, out)
				}
			}
			for _, f := range never {
				if strings.Contains(out, f+" ") {
					t.Errorf("help shows %s, which this command does not use:\n%s", f, out)
				}
			}
		})
	}
}

// sentinel is a password that must never be printed or logged.
const sentinel = "hunter2-Sentinel"

// TestSecretsNeverPrinted gives commands a database or SMTP URL with a
// sentinel password that fails in each way it can: the error names the
// problem, never the password.
func TestSecretsNeverPrinted(t *testing.T) {
	t.Chdir(t.TempDir())
	t.Setenv("TESSERA_LOG_LEVEL", "error")
	tests := []struct {
		name string
		env  map[string]string
		args []string
	}{
		{"unknown scheme", map[string]string{"TESSERA_DATABASE_URL": "mysql://root:" + sentinel + "@db/x"}, []string{"migrate", "up"}},
		{"bad port, password in query", map[string]string{"TESSERA_DATABASE_URL": "postgres://db:bad/x?password=" + sentinel}, []string{"users", "list"}},
		{"bad port, password in userinfo", map[string]string{"TESSERA_DATABASE_URL": "postgres://root:" + sentinel + "@db:bad/x?sslpassword=" + sentinel}, []string{"migrate", "status"}},
		{"serve, unreachable database", map[string]string{"TESSERA_DATABASE_URL": "postgres://root:" + sentinel + "@127.0.0.1:1/x?connect_timeout=1&password=" + sentinel}, []string{"serve"}},
		{"smtp URL with a query", map[string]string{"TESSERA_EMAIL_BACKEND": "smtp", "TESSERA_SMTP_URL": "smtp://mail.example?token=" + sentinel,
			"TESSERA_DATABASE_URL": "sqlite:db/t.db"}, []string{"serve"}},
		{"resource server without id", map[string]string{"TESSERA_RESOURCE_SERVERS": sentinel + sentinel}, []string{"serve"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			out, err := operate(t, "", tt.args...)
			if err == nil {
				t.Fatalf("tessera %s succeeded", strings.Join(tt.args, " "))
			}
			if strings.Contains(err.Error(), sentinel) || strings.Contains(out, sentinel) {
				t.Fatalf("tessera %s printed the secret: %v", strings.Join(tt.args, " "), err)
			}
		})
	}
}

// TestLogsHideSecrets: whatever a log line carries (a message, a string,
// an error quoting a URL), the configured secrets are taken out.
func TestLogsHideSecrets(t *testing.T) {
	for _, format := range []string{"text", "json"} {
		t.Run(format, func(t *testing.T) {
			cfg := config.Default()
			cfg.LogFormat = format
			cfg.DatabaseURL = "postgres://tessera:" + sentinel + "@db/tessera?sslpassword=ssl-" + sentinel
			cfg.SMTPURL = "smtp://mailer:smtp-" + sentinel + "@mail.example"
			cfg.ResourceServers = []string{"api:rs-" + sentinel}
			var buf bytes.Buffer
			log := newLogger(&buf, cfg)
			log.Error("connect "+cfg.DatabaseURL, "err", errors.New("dial "+cfg.SMTPURL+": refused"),
				"url", cfg.DatabaseURL, "secret", "rs-"+sentinel, slog.Group("db", "dsn", cfg.DatabaseURL))
			if !strings.Contains(buf.String(), "refused") || !strings.Contains(buf.String(), "tessera:xxxxx@db") {
				t.Fatalf("the log line lost its content: %s", buf.String())
			}
			if strings.Contains(buf.String(), sentinel) {
				t.Fatalf("a secret reached the log: %s", buf.String())
			}
		})
	}
}

// TestServeReadsTheEnvironment starts serve with its database, keys and
// mail settings only in the environment, the SMTP password a sentinel and
// its server down: it uses what they name, creates nothing in its working
// folder, and the failed e-mail's log lines do not carry the password.
func TestServeReadsTheEnvironment(t *testing.T) {
	bin := buildBinary(t)
	state, work := t.TempDir(), t.TempDir()
	dbPath, keysDir := filepath.Join(state, "tessera.db"), filepath.Join(state, "keys")
	p := start(t, bin, work, freeAddr(t), "TESSERA_DATABASE_URL=sqlite://"+dbPath, "TESSERA_KEYS_DIR="+keysDir,
		"TESSERA_EMAIL_BACKEND=smtp", "TESSERA_SMTP_URL=smtp://mailer:"+sentinel+"@127.0.0.1:1", "TESSERA_LOG_LEVEL=debug")
	p.post(t, "/v1/auth/register", map[string]any{"email": "mail@example.com", "password": cliPassword})
	p.post(t, "/v1/auth/password/reset", map[string]any{"email": "mail@example.com"})
	time.Sleep(500 * time.Millisecond) // the queue's first attempt fails at once (connection refused)
	p.stop(t)
	for _, f := range []string{dbPath, filepath.Join(keysDir, keys.SecretFile)} {
		if _, err := os.Stat(f); err != nil {
			t.Fatalf("the environment's %s: %v", f, err)
		}
	}
	emptyDir(t, work)
	if strings.Contains(p.logs.String(), sentinel) {
		t.Fatalf("the SMTP password reached the log:\n%s", p.logs)
	}
}
