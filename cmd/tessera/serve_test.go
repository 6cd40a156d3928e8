package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// TestMain removes the binary buildBinary compiled, so that every run of
// the tests does not leave 50 MB behind in the temporary directory.
func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" {
		_ = os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

// buildBinary compiles tessera once for the tests of this package.
func buildBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "tessera-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "tessera")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

type proc struct {
	cmd  *exec.Cmd
	logs *bytes.Buffer
	base string
}

// start runs `tessera serve` in dir with only the listen address and
// issuer set, as `make run` does on a fresh machine, and waits for /readyz.
// The process is killed when the test ends.
func start(t *testing.T, bin, dir, addr string, env ...string) *proc {
	t.Helper()
	p, err := startProc(bin, dir, addr, env...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.kill)
	return p
}

// startProc is start without the test: it returns an error rather than
// failing, so it may run on any goroutine, and kills the process itself
// when it does not become ready. The caller kills a started one.
func startProc(bin, dir, addr string, env ...string) (*proc, error) {
	cmd := exec.Command(bin, "serve")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), append([]string{"TESSERA_ADDR=" + addr, "TESSERA_ISSUER=http://" + addr}, env...)...)
	logs := &bytes.Buffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &proc{cmd: cmd, logs: logs, base: "http://" + addr}
	// Generous: a loaded CI machine may take a while to start a process.
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); {
		if resp, err := http.Get(p.base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return p, nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	p.kill()
	return nil, fmt.Errorf("server on %s did not become ready; logs:\n%s", addr, logs)
}

// kill ends the process, if it still runs, and reaps it.
func (p *proc) kill() { _ = p.cmd.Process.Kill(); _, _ = p.cmd.Process.Wait() }

// stop sends SIGTERM and requires a clean exit.
func (p *proc) stop(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, p.logs)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("no exit after SIGTERM\n%s", p.logs)
	}
}

func (p *proc) post(t *testing.T, path string, body any) map[string]any {
	t.Helper()
	data, _ := json.Marshal(body)
	resp, err := http.Post(p.base+path, "application/json", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		t.Fatalf("POST %s: %d %s", path, resp.StatusCode, raw)
	}
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	return m
}

func (p *proc) get(t *testing.T, path string) string {
	t.Helper()
	resp, err := http.Get(p.base + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return string(raw)
}

// TestServeFreshAndRestart is `make run` on a machine with nothing set up:
// a folder with no database and no keys. It must start, create both, and a
// restart must keep users, sessions and keys.
func TestServeFreshAndRestart(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	addr := freeAddr(t)

	p := start(t, bin, dir, addr)
	creds := map[string]any{"email": "restart@example.com", "password": "restart me please, twice"}
	reg := p.post(t, "/v1/auth/register", creds)
	jwks := p.get(t, "/.well-known/jwks.json")
	p.stop(t)

	for _, f := range []string{"data/tessera.db", "keys/refresh.secret"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Fatalf("%s not created: %v", f, err)
		}
	}
	keyFiles, _ := filepath.Glob(filepath.Join(dir, "keys", "*.pem"))
	if len(keyFiles) != 1 {
		t.Fatalf("want one signing key, got %v", keyFiles)
	}
	for _, f := range append(keyFiles, filepath.Join(dir, "keys", "refresh.secret")) {
		st, _ := os.Stat(f)
		if st.Mode().Perm() != 0o600 {
			t.Fatalf("%s has mode %v, want 0600", f, st.Mode().Perm())
		}
	}
	if st, _ := os.Stat(filepath.Join(dir, "keys")); st.Mode().Perm() != 0o700 {
		t.Fatalf("keys dir mode %v, want 0700", st.Mode().Perm())
	}

	p = start(t, bin, dir, addr)
	if got := p.get(t, "/.well-known/jwks.json"); got != jwks {
		t.Fatalf("keys changed across restart:\n%s\n%s", jwks, got)
	}
	p.post(t, "/v1/auth/login", creds)
	refreshed := p.post(t, "/v1/auth/refresh", map[string]any{"refresh_token": reg["refresh_token"]})
	if refreshed["session_id"] != reg["session_id"] {
		t.Fatalf("session not kept across restart: %v", refreshed)
	}
	req, _ := http.NewRequest("GET", p.base+"/v1/auth/me", nil)
	req.Header.Set("Authorization", fmt.Sprint("Bearer ", reg["access_token"]))
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("access token from before the restart: %v %v", resp, err)
	}
	resp.Body.Close()
	p.stop(t)
	if strings.Contains(p.logs.String(), "restart me please") || strings.Contains(p.logs.String(), fmt.Sprint(reg["refresh_token"])) {
		t.Fatal("a password or token reached the log")
	}
}

func TestServeRefusesBadConfiguration(t *testing.T) {
	bin := buildBinary(t)
	cmd := exec.Command(bin, "serve")
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "TESSERA_ACCESS_TTL=forever", "TESSERA_SIGNING_ALG=HS256")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatal("serve accepted a bad configuration")
	}
	for _, want := range []string{"TESSERA_ACCESS_TTL", "forever", "duration", "TESSERA_SIGNING_ALG"} {
		if !strings.Contains(string(out), want) {
			t.Fatalf("message %q lacks %q", out, want)
		}
	}
}

func TestVersion(t *testing.T) {
	var out bytes.Buffer
	root := newRoot()
	root.SetOut(&out)
	root.SetArgs([]string{"version"})
	if err := root.Execute(); err != nil || !strings.HasPrefix(out.String(), "tessera ") {
		t.Fatalf("version: %q %v", out.String(), err)
	}
}

// TestServeLogsEveryRequestAtStop: the access log is buffered, and a
// SIGTERM right after a burst of requests still leaves one line per
// request in the log: the buffer is written out when serve stops.
func TestServeLogsEveryRequestAtStop(t *testing.T) {
	bin := buildBinary(t)
	p := start(t, bin, t.TempDir(), freeAddr(t))
	const requests = 300
	for range requests {
		p.get(t, "/.well-known/jwks.json")
	}
	p.stop(t)
	if got := strings.Count(p.logs.String(), "path=/.well-known/jwks.json"); got != requests {
		t.Fatalf("%d access-log lines for %d requests after SIGTERM", got, requests)
	}
}
