package keys

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// bootstrap creates what a first start needs: the dir, a first key and the
// refresh secret. It writes nothing when both exist, so a read-only mount
// works. Replicas starting together on an empty dir take an exclusive lock
// on dir/.tessera.lock (flock, released by the kernel even if the holder
// dies) and look again once they hold it, so exactly one creates the first
// key and the others load that key. Where flock is unavailable, the secret
// still has a single winner (writeNew never replaces a file), but two
// replicas may each add a first key; every replica then signs with the
// oldest, and the other becomes a normal next key.
func bootstrap(dir string, opts Options) error {
	if err := ensureDir(dir); err != nil {
		return err
	}
	hasKey, hasSecret, err := present(dir)
	if err != nil || (hasKey && hasSecret) {
		return err
	}
	unlock, err := lockDir(dir)
	if err != nil {
		return err
	}
	defer unlock()
	if hasKey, hasSecret, err = present(dir); err != nil {
		return err
	}
	if !hasKey {
		if _, err := Generate(dir, opts.Algorithm, opts.Now()); err != nil && !errors.Is(err, fs.ErrExist) {
			return err
		}
	}
	if !hasSecret {
		err := createSecret(dir)
		if err != nil && !errors.Is(err, fs.ErrExist) {
			return err
		}
		if err == nil && hasKey {
			// Keys without the secret: copied without it, or it was lost.
			// The new one cannot check anything keyed with the old.
			opts.Logger.Warn("created a new refresh secret beside existing signing keys: refresh tokens issued before it no longer work, and every replica must share this one",
				"file", filepath.Join(dir, SecretFile))
		}
	}
	return nil
}

// mustExist checks, writing nothing, that dir holds a key and the secret.
func mustExist(dir string) error {
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs // the message names the folder wherever it was run
	}
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: %s does not exist (`tessera serve` creates the keys on its first start, `tessera keys rotate` without serving)", ErrNoKeys, dir)
	}
	hasKey, hasSecret, err := present(dir)
	switch {
	case err != nil:
		return err
	case !hasKey:
		return fmt.Errorf("%w: no signing key in %s (`tessera serve` creates one on its first start, `tessera keys rotate` without serving)", ErrNoKeys, dir)
	case !hasSecret:
		// Refresh tokens and signed-in forms are keyed with it, so replicas
		// share one, and a new one ends every refresh token of the old.
		return fmt.Errorf("%w: no %s in %s (copy it from the keys dir of the other replicas or of the previous installation; a new one, which `tessera serve` or `tessera keys rotate` would make, ends every refresh token issued before it)", ErrNoKeys, SecretFile, dir)
	}
	return nil
}

// present reports whether dir holds at least one key file and the secret.
func present(dir string) (hasKey, hasSecret bool, err error) {
	names, err := keyFiles(dir)
	if err != nil {
		return false, false, err
	}
	_, err = os.Stat(filepath.Join(dir, SecretFile))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false, false, fmt.Errorf("keys: %w", err)
	}
	return len(names) > 0, err == nil, nil
}

func createSecret(dir string) error {
	secret := make([]byte, SecretSize)
	if _, err := rand.Read(secret); err != nil {
		return fmt.Errorf("keys: refresh secret: %w", err)
	}
	data := base64.StdEncoding.EncodeToString(secret) + "\n"
	return writeNew(dir, SecretFile, []byte(data))
}

// readSecret reads the refresh secret: standard base64, surrounding space
// ignored, at least SecretSize bytes once decoded.
func readSecret(dir string) ([]byte, error) {
	path := filepath.Join(dir, SecretFile)
	data, err := readFile(path)
	if err != nil {
		return nil, fmt.Errorf("keys: refresh secret: %w", err)
	}
	secret, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(data)))
	if err != nil || len(secret) < SecretSize {
		return nil, fmt.Errorf("keys: %s: want base64 of at least %d bytes", path, SecretSize)
	}
	return secret, nil
}

// load reads the whole dir into a new snapshot; it writes nothing.
func load(dir string, opts Options) (*snapshot, error) {
	names, err := keyFiles(dir)
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("keys: no key files in %s", dir)
	}
	s := &snapshot{byKID: make(map[string]*entry, len(names))}
	for _, n := range names {
		e, err := readKey(dir, n)
		if err != nil {
			return nil, err
		}
		if prev, dup := s.byKID[e.info.ID]; dup {
			return nil, fmt.Errorf("keys: %s and %s hold the same key", prev.info.File, e.info.File)
		}
		s.byKID[e.info.ID] = e
		s.entries = append(s.entries, e)
	}
	schedule(s.entries, opts)
	if s.secret, err = readSecret(dir); err != nil {
		return nil, err
	}
	return s, nil
}
