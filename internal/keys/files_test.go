package keys_test

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tessera-id/tessera/internal/keys"
)

// writePEM stores priv in dir under name as PKCS#8.
func writePEM(tb testing.TB, dir, name string, priv any) {
	tb.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		tb.Fatal(err)
	}
	data := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
		tb.Fatal(err)
	}
}

func TestAlgorithmFromKeyType(t *testing.T) {
	dir := t.TempDir()
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	writePEM(t, dir, "20261128T131650Z-es256.pem", ed)
	if got := open(t, dir, keys.Options{}).Keys()[0].Algorithm; got != "EdDSA" {
		t.Errorf("Algorithm = %s, want EdDSA from the key type", got)
	}
}

func TestLoadErrors(t *testing.T) {
	rsa1024, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	raw := func(data string) func(tb testing.TB, dir, name string) {
		return func(tb testing.TB, dir, name string) {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o600); err != nil {
				tb.Fatal(err)
			}
		}
	}
	key := func(priv any) func(tb testing.TB, dir, name string) {
		return func(tb testing.TB, dir, name string) { writePEM(tb, dir, name, priv) }
	}
	tests := []struct {
		name  string
		file  string
		write func(tb testing.TB, dir, name string)
		want  string
	}{
		{"corrupt PEM", "20261128T131650Z-es256.pem", raw("not a key"), "no PEM block"},
		{"truncated DER", "20261128T131650Z-es256.pem", raw("-----BEGIN PRIVATE KEY-----\nMIGH\n-----END PRIVATE KEY-----\n"), "20261128T131650Z-es256.pem"},
		{"SEC1 instead of PKCS#8", "20261128T131650Z-es256.pem", raw("-----BEGIN EC PRIVATE KEY-----\nMIGH\n-----END EC PRIVATE KEY-----\n"), "PKCS#8"},
		{"RSA 1024", "20261128T131650Z-rs256.pem", key(rsa1024), "1024 bits"},
		{"P-384", "20261128T131650Z-es384.pem", key(p384), "P-384"},
		{"bad file name", "mykey.pem", key(rsa1024), "mykey.pem"},
		{"bad secret", keys.SecretFile, raw("c2hvcnQ=\n"), keys.SecretFile},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if tt.file == keys.SecretFile {
				if _, err := keys.Generate(dir, "ES256", t0); err != nil {
					t.Fatal(err)
				}
			}
			tt.write(t, dir, tt.file)
			_, err := keys.Open(dir, keys.Options{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Open = %v, want an error containing %q", err, tt.want)
			}
			if tt.file != keys.SecretFile && !strings.Contains(err.Error(), filepath.Join(dir, tt.file)) {
				t.Errorf("error %q does not name the file", err)
			}
		})
	}
}

func TestReloadKeepsKeysOnError(t *testing.T) {
	dir := t.TempDir()
	r := open(t, dir, keys.Options{})
	before := r.Keys()
	if err := os.WriteFile(filepath.Join(dir, "20300101T000000Z-es256.pem"), []byte("junk"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := r.Reload(); err == nil {
		t.Fatal("Reload accepted a corrupt key")
	}
	if after := r.Keys(); len(after) != 1 || after[0].ID != before[0].ID {
		t.Errorf("Keys after a failed Reload = %+v", after)
	}
	if _, err := r.SigningKey(); err != nil {
		t.Error(err)
	}
}

func TestDuplicateKey(t *testing.T) {
	dir := t.TempDir()
	info, err := keys.Generate(dir, "EdDSA", t0)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(info.File)
	os.WriteFile(filepath.Join(dir, "20261128T131651Z-eddsa.pem"), data, 0o600)
	if _, err := keys.Open(dir, keys.Options{}); err == nil || !strings.Contains(err.Error(), "same key") {
		t.Errorf("Open = %v, want a duplicate-key error", err)
	}
}

func TestIgnoresOtherFiles(t *testing.T) {
	dir := t.TempDir()
	open(t, dir, keys.Options{})
	for _, name := range []string{"README.md", ".tmp-x.pem", ".gitignore"} {
		os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o600)
	}
	os.Mkdir(filepath.Join(dir, "..data"), 0o700)
	if r := open(t, dir, keys.Options{}); len(r.Keys()) != 1 {
		t.Errorf("Keys = %+v", r.Keys())
	}
}
