package auth

import (
	"context"

	"github.com/tessera-id/tessera/internal/store"
)

// RegisterClassic creates an account exactly as Register does (same
// checks, audit and verification mail) but, instead of opening a device
// session, gives it its classic token: the answer of a Django REST
// Framework registration. The client named by in.Device must allow
// delivery "token". Under mandatory e-mail verification the token is nil
// and the answer must not say whether the address was new, as Register's.
func (s *Service) RegisterClassic(ctx context.Context, in RegisterInput) (*store.User, *ClassicToken, error) {
	if _, err := s.client(ctx, in.Device.ClientID, DeliveryToken); err != nil {
		return nil, nil, err
	}
	u, pending, err := s.createAccount(ctx, in)
	if pending != nil || err != nil {
		return nil, nil, err
	}
	t, err := s.ObtainClassicToken(ctx, u, in.Device)
	if err != nil {
		return nil, nil, err
	}
	return u, t, nil
}
