package keys_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tessera-id/tessera/internal/keys"
	"github.com/tessera-id/tessera/pkg/jwtverify"
)

var t0 = time.Date(2026, 11, 28, 13, 16, 50, 0, time.UTC)

// clock is a fake clock safe for concurrent use.
type clock struct{ ns atomic.Int64 }

func newClock(t time.Time) *clock    { c := &clock{}; c.set(t); return c }
func (c *clock) now() time.Time      { return time.Unix(0, c.ns.Load()).UTC() }
func (c *clock) set(t time.Time)     { c.ns.Store(t.UnixNano()) }
func (c *clock) add(d time.Duration) { c.ns.Add(int64(d)) }
func (c *clock) opts() keys.Options  { return keys.Options{Now: c.now} }

func mode(tb testing.TB, path string) fs.FileMode {
	tb.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		tb.Fatal(err)
	}
	return fi.Mode().Perm()
}

func open(tb testing.TB, dir string, opts keys.Options) *keys.Ring {
	tb.Helper()
	r, err := keys.Open(dir, opts)
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	return r
}

func TestOpenFreshDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nested", "keys")
	c := newClock(t0)
	r := open(t, dir, c.opts())

	ks := r.Keys()
	if len(ks) != 1 {
		t.Fatalf("Keys = %+v, want one key", ks)
	}
	k := ks[0]
	if k.Algorithm != "ES256" || k.State != keys.StateActive || !k.Created.Equal(t0) || !k.SignsFrom.Equal(t0) || !k.PublishedUntil.IsZero() {
		t.Errorf("first key = %+v", k)
	}
	if want := filepath.Join(dir, "20261128T131650Z-es256.pem"); k.File != want {
		t.Errorf("File = %s, want %s", k.File, want)
	}
	if m := mode(t, dir); m != 0o700 {
		t.Errorf("dir mode %v, want 0700", m)
	}
	for _, f := range []string{k.File, filepath.Join(dir, keys.SecretFile)} {
		if m := mode(t, f); m != 0o600 {
			t.Errorf("%s mode %v, want 0600", f, m)
		}
	}
	sk, err := r.SigningKey()
	if err != nil || sk.ID != k.ID || sk.Algorithm != "ES256" {
		t.Fatalf("SigningKey = %+v, %v", sk, err)
	}
	if len(r.RefreshSecret()) != keys.SecretSize {
		t.Errorf("secret of %d bytes", len(r.RefreshSecret()))
	}

	c.add(time.Hour)
	again := open(t, dir, c.opts())
	if got := again.Keys(); len(got) != 1 || got[0].ID != k.ID {
		t.Errorf("reopened Keys = %+v, want the same single key %s", got, k.ID)
	}
	if !bytes.Equal(again.RefreshSecret(), r.RefreshSecret()) {
		t.Error("reopening changed the refresh secret")
	}
}

func TestOpenLeavesLooseDir(t *testing.T) {
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	open(t, dir, keys.Options{})
	if m := mode(t, dir); m != 0o755 {
		t.Errorf("dir mode changed to %v", m)
	}
}

func TestOpenReadOnlyDir(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root ignores directory permissions")
	}
	dir := t.TempDir()
	first := open(t, dir, keys.Options{})
	if err := os.Chmod(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o700) })
	r := open(t, dir, keys.Options{})
	if r.Keys()[0].ID != first.Keys()[0].ID {
		t.Error("read-only dir gave another key")
	}
}

func TestOpenConcurrentFirstStart(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "keys")
	const n = 8
	var wg sync.WaitGroup
	rings := make([]*keys.Ring, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() { rings[i], errs[i] = keys.Open(dir, keys.Options{Algorithm: "EdDSA"}) })
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("Open %d: %v", i, errs[i])
		}
		if a, b := rings[i].Keys(), rings[0].Keys(); len(a) != 1 || a[0].ID != b[0].ID {
			t.Errorf("ring %d has %+v, ring 0 has %+v", i, a, b)
		}
		if !bytes.Equal(rings[i].RefreshSecret(), rings[0].RefreshSecret()) {
			t.Errorf("ring %d has another refresh secret", i)
		}
	}
	pems, _ := filepath.Glob(filepath.Join(dir, "*.pem"))
	if len(pems) != 1 {
		t.Errorf("dir holds %v, want one key file", pems)
	}
}

func TestJWKS(t *testing.T) {
	dir := t.TempDir()
	c := newClock(t0)
	for i, alg := range keys.Algorithms {
		if _, err := keys.Generate(dir, alg, t0.Add(time.Duration(i)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	r := open(t, dir, c.opts())
	j := r.JWKS()
	var doc struct {
		Keys []map[string]any `json:"keys"`
	}
	if err := json.Unmarshal(j.Body, &doc); err != nil {
		t.Fatalf("body %s: %v", j.Body, err)
	}
	if len(doc.Keys) != 3 {
		t.Fatalf("JWKS has %d keys, want 3: %s", len(doc.Keys), j.Body)
	}
	public := map[string]bool{"kty": true, "crv": true, "x": true, "y": true, "n": true, "e": true, "kid": true, "use": true, "alg": true}
	kids := map[any]bool{}
	for _, k := range doc.Keys {
		for name := range k {
			if !public[name] {
				t.Errorf("JWKS member %q in %v", name, k)
			}
		}
		if k["use"] != "sig" || k["alg"] == "" || k["kid"] == "" {
			t.Errorf("key %v lacks use/alg/kid", k)
		}
		if kids[k["kid"]] {
			t.Errorf("duplicate kid %v", k["kid"])
		}
		kids[k["kid"]] = true
	}
	parsed, err := jwtverify.ParseJWKS(j.Body)
	if err != nil || len(parsed) != 3 {
		t.Fatalf("ParseJWKS = %v, %v", parsed, err)
	}
	for i, k := range r.Keys() {
		if parsed[i].ID != k.ID || parsed[i].Algorithm != k.Algorithm {
			t.Errorf("JWKS key %d = %s/%s, ring has %s/%s", i, parsed[i].ID, parsed[i].Algorithm, k.ID, k.Algorithm)
		}
	}
	if !strings.HasPrefix(j.ETag, `"`) || !strings.HasSuffix(j.ETag, `"`) || strings.HasPrefix(j.ETag, `W/`) {
		t.Errorf("ETag %s is not a quoted strong tag", j.ETag)
	}
	if j.MaxAge != keys.DefaultCacheMaxAge {
		t.Errorf("MaxAge = %v", j.MaxAge)
	}
	if want := fmt.Sprintf("public, max-age=%d", int(keys.DefaultCacheMaxAge/time.Second)); j.CacheControl != want {
		t.Errorf("CacheControl = %q, want %q", j.CacheControl, want)
	}

	// Cached while the published set is unchanged, re-rendered when a key
	// retires.
	c.add(time.Minute)
	if again := r.JWKS(); &again.Body[0] != &j.Body[0] || again.ETag != j.ETag {
		t.Error("JWKS re-rendered although no key changed state")
	}
	c.set(r.Keys()[0].PublishedUntil)
	later := r.JWKS()
	if later.ETag == j.ETag || bytes.Contains(later.Body, []byte(r.Keys()[0].ID)) {
		t.Errorf("retired key still published: %s", later.Body)
	}
}

func TestJWKSHasNoPrivateParameters(t *testing.T) {
	for _, alg := range keys.Algorithms {
		t.Run(alg, func(t *testing.T) {
			r := open(t, t.TempDir(), keys.Options{Algorithm: alg})
			var doc struct {
				Keys []map[string]any `json:"keys"`
			}
			if err := json.Unmarshal(r.JWKS().Body, &doc); err != nil {
				t.Fatal(err)
			}
			for _, private := range []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"} {
				if _, ok := doc.Keys[0][private]; ok {
					t.Errorf("JWKS carries private parameter %q", private)
				}
			}
		})
	}
}

func TestAlgorithms(t *testing.T) {
	for _, alg := range keys.Algorithms {
		t.Run(alg, func(t *testing.T) {
			dir := t.TempDir()
			info, err := keys.Generate(dir, alg, t0)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasSuffix(info.File, "-"+strings.ToLower(alg)+".pem") || info.Algorithm != alg {
				t.Errorf("Generate = %+v", info)
			}
			r := open(t, dir, keys.Options{Algorithm: alg})
			sk, err := r.SigningKey()
			if err != nil || sk.ID != info.ID || sk.Algorithm != alg {
				t.Fatalf("SigningKey = %+v, %v; want %s", sk, err, info.ID)
			}
			vk, err := r.VerificationKey(context.Background(), info.ID)
			if err != nil || vk.Algorithm != alg || vk.ID != info.ID {
				t.Fatalf("VerificationKey = %+v, %v", vk, err)
			}
		})
	}
}

func TestUnknownAlgorithm(t *testing.T) {
	_, err := keys.Open(t.TempDir(), keys.Options{Algorithm: "HS256"})
	if err == nil || !strings.Contains(err.Error(), "ES256, EdDSA, RS256") {
		t.Errorf("Open = %v, want an error naming the allowed algorithms", err)
	}
	if _, err := keys.Generate(t.TempDir(), "none", t0); err == nil {
		t.Error("Generate accepted alg none")
	}
}

func TestOptionsRefusePublishingTooLate(t *testing.T) {
	_, err := keys.Open(t.TempDir(), keys.Options{PublishDelay: time.Minute, CacheMaxAge: 5 * time.Minute})
	if err == nil {
		t.Error("Open accepted a publish delay shorter than the JWKS cache lifetime")
	}
}

func TestGenerateSameSecond(t *testing.T) {
	dir := t.TempDir()
	if _, err := keys.Generate(dir, "ES256", t0); err != nil {
		t.Fatal(err)
	}
	if _, err := keys.Generate(dir, "ES256", t0.Add(500*time.Millisecond)); !errors.Is(err, fs.ErrExist) {
		t.Errorf("second key in the same second: %v, want fs.ErrExist", err)
	}
}

func TestVerificationKeyUnknown(t *testing.T) {
	r := open(t, t.TempDir(), keys.Options{})
	for _, kid := range []string{"", "nope", "' OR 1=1--", "../../etc/passwd", strings.Repeat("k", 10<<10)} {
		if _, err := r.VerificationKey(context.Background(), kid); !errors.Is(err, jwtverify.ErrUnknownKey) {
			t.Errorf("kid %.20q: %v, want ErrUnknownKey", kid, err)
		}
	}
}

// TestOpenConcurrentProcesses starts several processes on one empty dir at
// once: all must end up with the same single key and secret.
func TestOpenConcurrentProcesses(t *testing.T) {
	if dir := os.Getenv("TESSERA_KEYS_TEST_DIR"); dir != "" {
		r, err := keys.Open(dir, keys.Options{})
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		fmt.Printf("%s %x\n", r.Keys()[0].ID, r.RefreshSecret())
		os.Exit(0)
	}
	dir := filepath.Join(t.TempDir(), "keys")
	const n = 6
	cmds := make([]*exec.Cmd, n)
	outs := make([]bytes.Buffer, n)
	for i := range n {
		cmds[i] = exec.Command(os.Args[0], "-test.run=^TestOpenConcurrentProcesses$")
		cmds[i].Env = append(os.Environ(), "TESSERA_KEYS_TEST_DIR="+dir)
		cmds[i].Stdout = &outs[i]
		if err := cmds[i].Start(); err != nil {
			t.Fatal(err)
		}
	}
	for i := range n {
		if err := cmds[i].Wait(); err != nil {
			t.Fatalf("process %d: %v: %s", i, err, outs[i].String())
		}
		if outs[i].String() != outs[0].String() {
			t.Errorf("process %d saw %q, process 0 saw %q", i, outs[i].String(), outs[0].String())
		}
	}
	if pems, _ := filepath.Glob(filepath.Join(dir, "*.pem")); len(pems) != 1 {
		t.Errorf("dir holds %v, want one key file", pems)
	}
}

// TestOpenWarnsOfNewSecretBesideKeys: a dir whose signing keys lost their
// refresh secret gets a new one and a warning that older refresh tokens
// stop working; a first start, which creates both, and a complete dir warn
// of nothing.
func TestOpenWarnsOfNewSecretBesideKeys(t *testing.T) {
	var logs bytes.Buffer
	opts := keys.Options{Now: newClock(t0).now, Logger: slog.New(slog.NewTextHandler(&logs, nil))}
	dir := t.TempDir()
	first := open(t, dir, opts)
	open(t, dir, opts)
	if logs.Len() != 0 {
		t.Fatalf("a first start and a reopening logged: %s", logs.String())
	}
	if err := os.Remove(filepath.Join(dir, keys.SecretFile)); err != nil {
		t.Fatal(err)
	}
	r := open(t, dir, opts)
	if bytes.Equal(r.RefreshSecret(), first.RefreshSecret()) || len(r.RefreshSecret()) != keys.SecretSize {
		t.Fatalf("the new secret: %d bytes, equal to the old: %v", len(r.RefreshSecret()), bytes.Equal(r.RefreshSecret(), first.RefreshSecret()))
	}
	if got := logs.String(); !strings.Contains(got, "level=WARN") || !strings.Contains(got, "refresh tokens issued before it no longer work") ||
		!strings.Contains(got, filepath.Join(dir, keys.SecretFile)) {
		t.Fatalf("log: %q, want a warning naming the new secret's file", got)
	}
}
