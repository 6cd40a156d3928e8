package auth

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/oidc"
	"github.com/tessera-id/tessera/internal/store"
	"github.com/tessera-id/tessera/internal/token"
)

// ServiceToken is an access token of the client_credentials grant.
type ServiceToken struct {
	AccessToken string
	ExpiresAt   time.Time
}

// ClientCredentials is the client_credentials grant (RFC 6749 s4.4) of an
// authenticated confidential client allowed it: an access token with no
// user. Following RFC 9068 s2.2 its sub is the client id; its sid, which
// every Tessera access token carries, is a fresh id naming this token
// alone: no session row stands behind it, so Tessera's own API and
// userinfo refuse it, and it cannot be revoked before it expires (the
// client's access-token lifetime). A public client, or one not allowed the
// grant, is unauthorized_client.
func (s *Service) ClientCredentials(ctx context.Context, c *store.Client, dev Device) (*ServiceToken, error) {
	if c.Type != store.ClientConfidential || !OIDCClient(c).AllowsGrant(oidc.GrantClientCredentials) {
		return nil, Errorf(CodeUnauthorizedClient, "this client may not use the client_credentials grant")
	}
	aud := s.settings.Audiences
	if len(c.Audiences) > 0 {
		aud = c.Audiences
	}
	raw, claims, err := s.minter.Mint(token.Access{
		Subject: c.ID, ClientID: c.ID, SessionID: newID().String(), Audience: aud,
		TTL: orDefault(c.AccessTTL, s.settings.AccessTTL),
	})
	if err != nil {
		return nil, fmt.Errorf("client credentials: %w", err)
	}
	s.audit(ctx, "client_credentials", uuid.Nil, uuid.Nil, dev, map[string]string{"client_id": c.ID})
	return &ServiceToken{AccessToken: raw, ExpiresAt: claims.ExpiresAt.Time}, nil
}
