package auth

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/store"
)

// Logout scopes.
const (
	ScopeLocal  = "local"  // this device
	ScopeOthers = "others" // every device but this one
	ScopeGlobal = "global" // every device
)

// AuthenticateAccess verifies an access JWT and, unlike an offline
// verifier, also loads its session and user, so a revoked session or a
// disabled user is refused at once on Tessera's own endpoints.
func (s *Service) AuthenticateAccess(ctx context.Context, raw, method string) (*Principal, error) {
	claims, err := s.access.verify(ctx, s.verifier, raw, s.now())
	if err != nil {
		return nil, errInvalidToken
	}
	sid, err1 := uuid.Parse(claims.SessionID)
	uid, err2 := uuid.Parse(claims.Subject)
	if err1 != nil || err2 != nil {
		return nil, errInvalidToken
	}
	sess, u, err := s.store.GetSessionAuthAndUser(ctx, sid)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errInvalidToken
	}
	if err != nil {
		return nil, fmt.Errorf("authenticate: %w", err)
	}
	if sess.UserID != uid || !sess.ActiveAt(s.now()) || !u.IsActive {
		return nil, errInvalidToken
	}
	return &Principal{User: u, Session: sess, Claims: claims, Method: method}, nil
}

func (s *Service) activeUser(ctx context.Context, id uuid.UUID) (*store.User, error) {
	u, err := s.store.GetUser(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errInvalidToken
	}
	if err != nil {
		return nil, fmt.Errorf("load user: %w", err)
	}
	if !u.IsActive {
		return nil, errInvalidToken
	}
	return u, nil
}

// Logout ends sessions of the caller: this one (local), all but this one
// (others) or all (global). Credentials not tied to a session can only log
// out globally or others (which then means all).
func (s *Service) Logout(ctx context.Context, p *Principal, scope string, dev Device) error {
	if scope == "" {
		scope = ScopeLocal
	}
	now := s.now().UTC()
	var err error
	switch scope {
	case ScopeLocal:
		if p.Session == nil {
			return Invalid(map[string][]string{"scope": {"these credentials have no session; use others or global"}})
		}
		err = s.store.RevokeSession(ctx, p.Session.ID, now, "logout")
	case ScopeOthers:
		_, err = s.store.RevokeUserSessions(ctx, p.User.ID, p.SessionID(), now, "logout_others")
	case ScopeGlobal:
		_, err = s.store.RevokeUserSessions(ctx, p.User.ID, uuid.Nil, now, "logout_global")
	default:
		return Invalid(map[string][]string{"scope": {"must be one of local, others, global"}})
	}
	if err != nil {
		return fmt.Errorf("logout: %w", err)
	}
	s.audit(ctx, "logout", p.User.ID, p.SessionID(), dev, map[string]string{"scope": scope})
	return nil
}

// ListSessions returns the caller's active sessions, newest first.
func (s *Service) ListSessions(ctx context.Context, p *Principal) ([]store.Session, error) {
	list, err := s.store.ListUserSessions(ctx, p.User.ID, s.now().UTC())
	if err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	return list, nil
}

// RevokeSession ends one of the caller's own sessions. Another user's
// session id is answered exactly like an unknown one (404).
func (s *Service) RevokeSession(ctx context.Context, p *Principal, id uuid.UUID, dev Device) error {
	sess, err := s.store.GetSession(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && (sess.UserID != p.User.ID || sess.RevokedAt != nil)) {
		return Errorf(CodeNotFound, "no such session")
	}
	if err != nil {
		return fmt.Errorf("revoke session: %w", err)
	}
	if err := s.store.RevokeSession(ctx, id, s.now().UTC(), "revoked_by_user"); err != nil {
		return fmt.Errorf("revoke session: %w", err)
	}
	s.audit(ctx, "session_revoked", p.User.ID, id, dev, nil)
	return nil
}
