package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/tessera-id/tessera/internal/identifier"
	"github.com/tessera-id/tessera/internal/store"
)

// UpdateMeInput is a partial update of the caller's profile; nil fields are
// left as they are.
type UpdateMeInput struct {
	// Username sets the username; an empty string removes it.
	Username *string
}

// UpdateMe applies in to the caller's account and returns the result.
func (s *Service) UpdateMe(ctx context.Context, p *Principal, in UpdateMeInput) (*store.User, error) {
	u := *p.User
	if in.Username != nil {
		raw := strings.TrimSpace(*in.Username)
		if raw == "" {
			u.Username, u.UsernameNormalized = nil, nil
		} else {
			n, err := identifier.NormalizeUsername(raw)
			if err != nil {
				return nil, Invalid(map[string][]string{"username": {err.Error()}})
			}
			u.Username, u.UsernameNormalized = &raw, &n
		}
	}
	u.UpdatedAt = s.now().UTC()
	if err := s.store.UpdateUser(ctx, &u); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return nil, &Error{Code: CodeUsernameTaken, Message: "this username is taken",
				Fields: map[string][]string{"username": {"is taken"}}}
		}
		return nil, fmt.Errorf("update me: %w", err)
	}
	return &u, nil
}
