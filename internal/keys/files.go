package keys

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"time"

	"github.com/tessera-id/tessera/pkg/jwtverify"
)

// File layout of a keys dir:
//
//	20261128T131650Z-es256.pem   one PKCS#8 private key per file, 0600
//	refresh.secret               base64 of 32 random bytes, 0600
//	.tessera.lock                serialises first-start bootstrap
//
// Files starting with "." (temporary files, the lock, Kubernetes' ..data)
// and files ending neither in .pem nor named refresh.secret are ignored.
const (
	// TimeFormat is the UTC creation time at the start of a key file name.
	TimeFormat = "20060102T150405Z"
	// SecretFile holds the refresh-token HMAC secret.
	SecretFile = "refresh.secret"
	// SecretSize is the size of a new refresh secret, in bytes.
	SecretSize = 32
	lockFile   = ".tessera.lock"
	// rsaBits is the size of new RSA keys and the least a loaded one may have.
	rsaBits = jwtverify.MinRSABits
)

var keyFileName = regexp.MustCompile(`^(\d{8}T\d{6}Z)-([a-z0-9]+)\.pem$`)

// Algorithms lists the algorithms Generate and Options.Algorithm accept.
var Algorithms = []string{jwtverify.ES256, jwtverify.EdDSA, jwtverify.RS256}

func checkAlgorithm(alg string) error {
	for _, a := range Algorithms {
		if a == alg {
			return nil
		}
	}
	return fmt.Errorf("keys: unknown algorithm %q (allowed: %s)", alg, strings.Join(Algorithms, ", "))
}

// Generate creates a key of alg in dir (creating dir 0700 if missing), in a
// file named after now (UTC, to the second) and alg, written atomically:
// readers see the whole file or none. Two keys in the same second collide;
// the second attempt fails with an error wrapping fs.ErrExist rather than
// replacing the first. State, SignsFrom and PublishedUntil depend on the
// other keys: ask a Ring's Keys after Reload.
func Generate(dir string, alg string, now time.Time) (KeyInfo, error) {
	if err := checkAlgorithm(alg); err != nil {
		return KeyInfo{}, err
	}
	if err := ensureDir(dir); err != nil {
		return KeyInfo{}, err
	}
	priv, err := newPrivateKey(alg)
	if err != nil {
		return KeyInfo{}, fmt.Errorf("keys: generate %s: %w", alg, err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return KeyInfo{}, fmt.Errorf("keys: encode %s key: %w", alg, err)
	}
	created := now.UTC().Truncate(time.Second)
	name := created.Format(TimeFormat) + "-" + strings.ToLower(alg) + ".pem"
	data := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	if err := writeNew(dir, name, data); err != nil {
		return KeyInfo{}, err
	}
	kid, err := thumbprint(priv.Public())
	if err != nil {
		return KeyInfo{}, err
	}
	return KeyInfo{ID: kid, Algorithm: alg, Created: created, File: filepath.Join(dir, name)}, nil
}

func newPrivateKey(alg string) (crypto.Signer, error) {
	switch alg {
	case jwtverify.ES256:
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case jwtverify.EdDSA:
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		return priv, err
	default:
		return rsa.GenerateKey(rand.Reader, rsaBits)
	}
}

// ensureDir creates dir with mode 0700 when it is missing. An existing dir
// is left as it is, even with a looser mode (it may be a mounted volume).
func ensureDir(dir string) error {
	fi, err := os.Stat(dir)
	if err == nil {
		if !fi.IsDir() {
			return fmt.Errorf("keys: %s is not a directory", dir)
		}
		return nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("keys: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("keys: create dir: %w", err)
	}
	// MkdirAll is subject to the umask; make the mode exact.
	if err := os.Chmod(dir, 0o700); err != nil {
		return fmt.Errorf("keys: create dir: %w", err)
	}
	return nil
}

// writeNew writes data to dir/name with mode 0600 atomically and without
// ever replacing an existing file: the data goes to a temporary file that
// is then hard-linked to its name (link fails if the name exists), so a
// reader sees the whole file or nothing, and of two writers racing for one
// name exactly one wins. Where hard links are unsupported, it falls back to
// rename after checking the name is free, which narrows but does not close
// that race.
func writeNew(dir, name string, data []byte) error {
	final := filepath.Join(dir, name)
	tmp, err := os.CreateTemp(dir, ".tmp-"+name+"-*")
	if err != nil {
		return fmt.Errorf("keys: write %s: %w", final, err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Chmod(0o600)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("keys: write %s: %w", final, err)
	}
	err = os.Link(tmp.Name(), final)
	if err != nil && !errors.Is(err, fs.ErrExist) {
		if _, serr := os.Lstat(final); serr == nil {
			err = fs.ErrExist
		} else {
			err = os.Rename(tmp.Name(), final)
		}
	}
	if err != nil {
		return fmt.Errorf("keys: write %s: %w", final, err)
	}
	syncDir(dir)
	return nil
}

// syncDir makes a new directory entry durable; failure only costs
// durability across a power cut, so it is ignored.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}

// keyFiles lists the key file names in dir, checking that every .pem file
// is named as Generate names them.
func keyFiles(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("keys: read dir: %w", err)
	}
	var names []string
	for _, e := range ents {
		n := e.Name()
		if strings.HasPrefix(n, ".") || !strings.HasSuffix(n, ".pem") || e.IsDir() {
			continue
		}
		if !keyFileName.MatchString(n) {
			return nil, fmt.Errorf("keys: %s: name is not <%s>-<alg>.pem", filepath.Join(dir, n), TimeFormat)
		}
		names = append(names, n)
	}
	return names, nil
}

// maxFileSize bounds a key or secret file read: an RSA-4096 key in PEM is
// about 3.3 KB.
const maxFileSize = 64 << 10

// readFile reads the regular file at path (a symlink to one is fine),
// refusing anything else without blocking on it: a FIFO or a device named
// like a key would hang os.ReadFile, and with it every later reload.
func readFile(path string) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", path)
	}
	if fi.Size() > maxFileSize {
		return nil, fmt.Errorf("%s: %d bytes, more than a key file holds", path, fi.Size())
	}
	return io.ReadAll(io.LimitReader(f, maxFileSize))
}

// readKey loads one key file. Its algorithm comes from the key type, never
// from the file name.
func readKey(dir, name string) (*entry, error) {
	path := filepath.Join(dir, name)
	fail := func(err error) (*entry, error) { return nil, fmt.Errorf("keys: %s: %w", path, err) }
	created, err := time.Parse(TimeFormat, keyFileName.FindStringSubmatch(name)[1])
	if err != nil {
		return fail(err)
	}
	data, err := readFile(path)
	if err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		return fail(errors.New("no PEM block"))
	}
	if block.Type != "PRIVATE KEY" {
		return fail(fmt.Errorf("PEM block %q, want PKCS#8 \"PRIVATE KEY\"", block.Type))
	}
	priv, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return fail(err)
	}
	alg, err := algorithmOf(priv)
	if err != nil {
		return fail(err)
	}
	signer := priv.(crypto.Signer)
	kid, err := thumbprint(signer.Public())
	if err != nil {
		return fail(err)
	}
	member, err := jwkMember(signer.Public(), kid, alg)
	if err != nil {
		return fail(err)
	}
	return &entry{
		info:    KeyInfo{ID: kid, Algorithm: alg, Created: created, File: path},
		signing: &SigningKey{ID: kid, Algorithm: alg, Private: priv},
		verify:  jwtverify.Key{ID: kid, Algorithm: alg, Public: signer.Public()},
		jwk:     member,
	}, nil
}

func algorithmOf(priv any) (string, error) {
	switch k := priv.(type) {
	case *ecdsa.PrivateKey:
		if k.Curve != elliptic.P256() {
			return "", fmt.Errorf("ECDSA curve %s not supported (only P-256)", k.Curve.Params().Name)
		}
		return jwtverify.ES256, nil
	case ed25519.PrivateKey:
		return jwtverify.EdDSA, nil
	case *rsa.PrivateKey:
		if bits := k.N.BitLen(); bits < rsaBits {
			return "", fmt.Errorf("RSA key of %d bits, at least %d required", bits, rsaBits)
		}
		return jwtverify.RS256, nil
	}
	return "", fmt.Errorf("key type %T not supported", priv)
}
