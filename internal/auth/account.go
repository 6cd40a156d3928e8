package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/store"
)

// PendingEmail is an e-mail change that waits for the link mailed to the
// new address.
type PendingEmail struct {
	Email     string
	ExpiresAt time.Time
}

// PendingEmailChange returns the address the caller asked to move to
// (UpdateMe) while its link is unused and unexpired, or nil: nothing was
// asked, the change is done, or the link expired.
func (s *Service) PendingEmailChange(ctx context.Context, p *Principal) (*PendingEmail, error) {
	t, err := s.store.GetUserOneTimeToken(ctx, p.User.ID, store.PurposeChangeEmail)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("pending e-mail change: %w", err)
	}
	if t.UsedAt != nil || !s.now().Before(t.ExpiresAt) {
		return nil, nil
	}
	return &PendingEmail{Email: t.Email, ExpiresAt: t.ExpiresAt}, nil
}

// ClassicTokenStatus describes a user's classic token without its key:
// Prefix is the recognisable start a person can match against the key
// they hold.
type ClassicTokenStatus struct {
	Prefix     string
	CreatedAt  time.Time
	LastUsedAt *time.Time
}

// ClassicTokenInfo returns the status of the user's classic token, or nil
// when the user has none. It never derives the key.
func (s *Service) ClassicTokenInfo(ctx context.Context, userID uuid.UUID) (*ClassicTokenStatus, error) {
	t, err := s.store.GetAuthToken(ctx, userID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("classic token info: %w", err)
	}
	return &ClassicTokenStatus{Prefix: t.Prefix, CreatedAt: t.CreatedAt, LastUsedAt: t.LastUsedAt}, nil
}
