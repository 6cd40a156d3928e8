package auth

import (
	"context"
	"errors"
	"fmt"

	"github.com/tessera-id/tessera/internal/store"
)

// Consents returns the third-party apps the caller granted scopes to on
// the consent page, ordered by client id.
func (s *Service) Consents(ctx context.Context, p *Principal) ([]store.Consent, error) {
	list, err := s.store.ListConsents(ctx, p.User.ID)
	if err != nil {
		return nil, fmt.Errorf("list consents: %w", err)
	}
	return list, nil
}

// WithdrawConsent forgets the caller's consent to clientID and ends every
// session of the caller that the client holds, so the app keeps no access
// it was granted: its refresh tokens stop at once and its access tokens
// reach resource servers through the revocation feed. The next sign-in to
// that app asks for consent again. Audited as consent_withdrawn; an id with
// no consent is not_found.
func (s *Service) WithdrawConsent(ctx context.Context, p *Principal, clientID string, dev Device) error {
	err := s.store.DeleteConsent(ctx, p.User.ID, clientID)
	if errors.Is(err, store.ErrNotFound) {
		return Errorf(CodeNotFound, "no consent to withdraw for this app")
	}
	if err != nil {
		return fmt.Errorf("withdraw consent: %w", err)
	}
	now := s.now().UTC()
	sessions, err := s.store.ListUserSessions(ctx, p.User.ID, now)
	if err != nil {
		return fmt.Errorf("withdraw consent: %w", err)
	}
	ended := 0
	for _, sess := range sessions {
		if sess.ClientID != clientID {
			continue
		}
		if err := s.store.RevokeSession(ctx, sess.ID, now, "consent_withdrawn"); err != nil {
			return fmt.Errorf("withdraw consent: %w", err)
		}
		ended++
	}
	s.audit(ctx, "consent_withdrawn", p.User.ID, p.SessionID(), dev, map[string]string{
		"client_id": clientID, "sessions_ended": fmt.Sprint(ended),
	})
	return nil
}
