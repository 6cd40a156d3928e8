package auth

import (
	"context"
	"errors"
	"fmt"
	"io/fs"

	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/keys"
)

// AdminKeys describes every signing key in the keys dir, oldest first,
// with its state now (nil without a key ring).
func (s *Service) AdminKeys() []keys.KeyInfo {
	if s.keys == nil {
		return nil
	}
	return s.keys.Keys()
}

// AdminRotateKeys adds a signing key, exactly as `tessera keys rotate`
// does (keys.Ring.Rotate): the new key is published at once and signs
// after one JWKS cache lifetime, so verifiers learn it before they meet
// it; other replicas pick it up on their next reload of the shared dir.
// A second rotation within the same second is a conflict.
func (s *Service) AdminRotateKeys(ctx context.Context, a Actor) (keys.KeyInfo, error) {
	if s.keys == nil {
		return keys.KeyInfo{}, errors.New("rotate keys: no key ring")
	}
	k, err := s.keys.Rotate("")
	if errors.Is(err, fs.ErrExist) {
		return keys.KeyInfo{}, Errorf(CodeConflict, "a key was added a moment ago; wait a second and try again")
	}
	if err != nil {
		return keys.KeyInfo{}, fmt.Errorf("rotate keys: %w", err)
	}
	s.auditAs(ctx, "key_rotated", a, uuid.Nil, uuid.Nil, map[string]string{
		"kid": k.ID, "alg": k.Algorithm, "signs_from": k.SignsFrom.UTC().Format("2006-01-02T15:04:05Z")})
	return k, nil
}
