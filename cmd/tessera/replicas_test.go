package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
)

func (p *proc) do(t *testing.T, method, path string, body any, bearer string) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		data, _ := json.Marshal(body)
		rd = bytes.NewReader(data)
	}
	req, _ := http.NewRequest(method, p.base+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

// TestTwoReplicas: two `tessera serve` processes start at the same moment
// on one empty Postgres schema and one empty keys dir, migrate and create
// keys safely, and act as one service: log in on A, refresh on B, log out
// on B, and A refuses the session at once.
func TestTwoReplicas(t *testing.T) {
	bin := buildBinary(t)
	dbURL := sqltest.URLForPostgres(t)
	keysDir := filepath.Join(t.TempDir(), "keys")
	// Replicas behind one load balancer share the issuer.
	env := []string{"TESSERA_DATABASE_URL=" + dbURL, "TESSERA_KEYS_DIR=" + keysDir, "TESSERA_ISSUER=https://id.tessera.test"}
	addrA, addrB := freeAddr(t), freeAddr(t)

	// Both start at once; startProc, not start, because a test may only
	// fail from its own goroutine.
	procs, errs := make([]*proc, 2), make([]error, 2)
	var wg sync.WaitGroup
	for i, addr := range []string{addrA, addrB} {
		dir := t.TempDir()
		wg.Add(1)
		go func() { defer wg.Done(); procs[i], errs[i] = startProc(bin, dir, addr, env...) }()
	}
	wg.Wait()
	for i, p := range procs {
		if p != nil {
			t.Cleanup(p.kill)
		}
		if errs[i] != nil {
			t.Fatalf("replica %d: %v", i, errs[i])
		}
	}
	a, b := procs[0], procs[1]
	keyFiles, _ := filepath.Glob(filepath.Join(keysDir, "*.pem"))
	if len(keyFiles) != 1 {
		t.Fatalf("replicas created %d keys, want 1: %v", len(keyFiles), keyFiles)
	}
	if ja, jb := a.get(t, "/.well-known/jwks.json"), b.get(t, "/.well-known/jwks.json"); ja != jb {
		t.Fatalf("replicas publish different keys:\n%s\n%s", ja, jb)
	}

	creds := map[string]any{"email": "replica@example.com", "password": "two replicas, one service"}
	if code, m := a.do(t, "POST", "/v1/auth/register", creds, ""); code != 201 {
		t.Fatalf("register on A: %d %v", code, m)
	}
	code, onA := a.do(t, "POST", "/v1/auth/login", creds, "")
	if code != 200 {
		t.Fatalf("login on A: %d %v", code, onA)
	}
	code, onB := b.do(t, "POST", "/v1/auth/refresh", map[string]any{"refresh_token": onA["refresh_token"]}, "")
	if code != 200 {
		t.Fatalf("refresh on B of A's login: %d %v", code, onB)
	}
	access := fmt.Sprint(onB["access_token"])
	if code, m := a.do(t, "GET", "/v1/auth/me", nil, access); code != 200 {
		t.Fatalf("A accepts B's token: %d %v", code, m)
	}
	if code, m := b.do(t, "POST", "/v1/auth/logout", nil, access); code != 204 {
		t.Fatalf("logout on B: %d %v", code, m)
	}
	if code, _ := a.do(t, "GET", "/v1/auth/me", nil, access); code != 401 {
		t.Fatalf("A must refuse the session B revoked, got %d", code)
	}
	if code, _ := a.do(t, "POST", "/v1/auth/refresh", map[string]any{"refresh_token": onB["refresh_token"]}, ""); code != 400 {
		t.Fatalf("A must refuse the revoked session's refresh token, got %d", code)
	}
	a.stop(t)
	b.stop(t)
}

// TestGracefulShutdown: SIGTERM while requests are in flight lets every one
// of them finish with its answer, then the process exits 0.
//
// "In flight" is made certain, not hoped for: each login is sent with
// "Expect: 100-continue" and no body, and the server's "100 Continue" shows
// its handler is running and reading the body. Only then comes the signal,
// and only then the bodies.
func TestGracefulShutdown(t *testing.T) {
	bin := buildBinary(t)
	addr := freeAddr(t)
	p := start(t, bin, t.TempDir(), addr)
	creds := map[string]any{"email": "drain@example.com", "password": "finish what you started"}
	p.post(t, "/v1/auth/register", creds)
	body, _ := json.Marshal(creds)

	const n = 8
	conns := make([]net.Conn, n)
	readers := make([]*bufio.Reader, n)
	for i := range conns {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		fmt.Fprintf(c, "POST /v1/auth/login HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"+
			"Content-Length: %d\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n", addr, len(body))
		conns[i], readers[i] = c, bufio.NewReader(c)
		cont, err := http.ReadResponse(readers[i], nil)
		if err != nil || cont.StatusCode != http.StatusContinue {
			t.Fatalf("login %d: want 100 Continue, got %v %v", i, cont, err)
		}
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// Send the bodies only once the server is shutting down, which is
	// when it stops accepting connections.
	waitRefused(t, addr)
	for i, c := range conns {
		if _, err := c.Write(body); err != nil {
			t.Fatalf("login %d: sending the body: %v", i, err)
		}
		resp, err := http.ReadResponse(readers[i], nil)
		if err != nil {
			t.Fatalf("login %d: no answer during shutdown: %v", i, err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("login %d answered %d during shutdown", i, resp.StatusCode)
		}
	}
	if err := p.cmd.Wait(); err != nil {
		t.Fatalf("exit after SIGTERM: %v\n%s", err, p.logs)
	}
	if _, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		t.Fatal("the server still accepts connections after exiting")
	}
}

// waitRefused waits until addr refuses connections: a server shutting down
// has closed its listener. A probe that still connects is closed at once,
// so it keeps no request of its own open.
func waitRefused(t *testing.T, addr string) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			return
		}
		c.Close()
	}
	t.Fatalf("%s still accepts connections after SIGTERM", addr)
}
