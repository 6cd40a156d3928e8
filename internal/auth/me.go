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
	// Email asks to move the account to another address. It needs
	// CurrentPassword and takes effect when the key mailed to the new
	// address is used (at once when verification is "none").
	Email           *string
	CurrentPassword string
	Device          Device
}

// UpdateMe applies in to the caller's account and returns the result.
func (s *Service) UpdateMe(ctx context.Context, p *Principal, in UpdateMeInput) (*store.User, error) {
	u := *p.User
	var change *emailChange
	applied := false
	if in.Email != nil {
		c, err := s.prepareEmailChange(ctx, &u, *in.Email, in.CurrentPassword, in.Device)
		if err != nil {
			return nil, err
		}
		change, applied = c, c.applyNow(&u, s.settings.EmailVerification)
	}
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
		var ce *store.ConflictError
		if errors.As(err, &ce) && ce.Field == "email" {
			return nil, errEmailTaken
		}
		if errors.Is(err, store.ErrConflict) {
			return nil, &Error{Code: CodeUsernameTaken, Message: "this username is taken",
				Fields: map[string][]string{"username": {"is taken"}}}
		}
		return nil, fmt.Errorf("update me: %w", err)
	}
	if change != nil {
		if err := s.emailChangeRequested(ctx, &u, change, applied, in.Device); err != nil {
			return nil, err
		}
	}
	return &u, nil
}
