package auth

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/store"
)

// importedKeyLen is the length of a Django REST Framework authtoken key:
// 20 random bytes as lowercase hex (binascii.hexlify(os.urandom(20))).
const importedKeyLen = 40

// importedKeyPrefixLen is how much of an imported key is kept for display:
// 16 of its 160 bits.
const importedKeyPrefixLen = 4

// IsImportedKey reports whether key has the one spelling of a Django REST
// Framework authtoken key: exactly 40 lowercase hex digits.
func IsImportedKey(key string) bool {
	if len(key) != importedKeyLen {
		return false
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// ImportClassicToken keeps another system's token key (Django REST
// Framework's authtoken) working as the account's classic token. Only the
// key's SHA-256 is stored, with an empty nonce that marks it imported: its
// key cannot be shown again, only matched. A key Tessera made for the
// account since (a rotation) is kept; an imported key is replaced by a
// newer one from the source.
func (s *Service) ImportClassicToken(ctx context.Context, ref ImportRef, key string, created time.Time, opts ImportOptions) (ImportResult, error) {
	if !IsImportedKey(key) {
		return skipped("token of %s: not 40 lowercase hex digits", ref), nil
	}
	u, err := s.importedUser(ctx, ref)
	if errors.Is(err, store.ErrNotFound) {
		return skipped("token of %s, an account not imported", ref), nil
	}
	if err != nil {
		return ImportResult{}, fmt.Errorf("import token: %w", err)
	}
	hash := hashKey(key)
	old, err := s.store.GetAuthToken(ctx, u.ID)
	switch {
	case err == nil && subtle.ConstantTimeCompare(old.KeyHash, hash) == 1:
		return ImportResult{Outcome: ImportUnchanged}, nil
	case err == nil && len(old.Nonce) > 0:
		return skipped("token of %s: the account has a key made in Tessera since", ref), nil
	case err != nil && !errors.Is(err, store.ErrNotFound):
		return ImportResult{}, fmt.Errorf("import token: %w", err)
	}
	res := ImportResult{Outcome: ImportCreated}
	if old != nil {
		res.Outcome = ImportUpdated
	}
	if opts.DryRun {
		return res, nil
	}
	if old != nil {
		if err := s.store.DeleteAuthToken(ctx, u.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
			return ImportResult{}, fmt.Errorf("import token: %w", err)
		}
	}
	if created.IsZero() {
		created = s.now()
	}
	t := &store.AuthToken{UserID: u.ID, KeyHash: hash, Nonce: []byte{},
		Prefix: key[:importedKeyPrefixLen], CreatedAt: created.UTC().Truncate(time.Microsecond)}
	err = s.store.CreateAuthToken(ctx, t)
	if errors.Is(err, store.ErrConflict) {
		return skipped("token of %s: the key is another account's", ref), nil
	}
	if err != nil {
		return ImportResult{}, fmt.Errorf("import token: %w", err)
	}
	return res, nil
}

// replaceImportedToken swaps an imported classic token, whose key cannot
// be shown again, for a key of Tessera's own.
func (s *Service) replaceImportedToken(ctx context.Context, u *store.User, dev Device) (*store.AuthToken, error) {
	if err := s.store.DeleteAuthToken(ctx, u.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	s.audit(ctx, "classic_token_revoked", u.ID, uuid.Nil, dev, map[string]string{"reason": "imported_key_replaced"})
	return s.createClassicToken(ctx, u, dev)
}
