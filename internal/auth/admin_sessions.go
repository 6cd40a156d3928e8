package auth

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/store"
)

// AdminListSessions returns a page of the user's sessions, newest first:
// only the active ones unless includeEnded. An unknown user is not_found.
func (s *Service) AdminListSessions(ctx context.Context, userID uuid.UUID, includeEnded bool, in PageInput) (Page[store.Session], error) {
	limit, err := in.limit()
	if err != nil {
		return Page[store.Session]{}, err
	}
	after, err := decodeTimeCursor("s", in.Cursor)
	if err != nil {
		return Page[store.Session]{}, err
	}
	if _, err := s.AdminGetUser(ctx, userID); err != nil {
		return Page[store.Session]{}, err
	}
	q := store.SessionQuery{UserID: userID, After: after, Limit: limit + 1}
	if !includeEnded {
		now := s.now().UTC()
		q.ActiveAt = &now
	}
	rows, err := s.store.ListSessions(ctx, q)
	if err != nil {
		return Page[store.Session]{}, fmt.Errorf("list sessions: %w", err)
	}
	return newPage(rows, limit, "s", func(ss store.Session) string { return timeCursorKey(ss.CreatedAt, ss.ID) }), nil
}

// AdminRevokeSession ends one device session of any user. It takes effect
// at once for refresh, session cookies and Tessera's own endpoints (which
// look the session up on every request), and reaches offline verifiers
// through the revocation feed. Revoking an ended session changes nothing
// and is not an error; an unknown id is not_found.
func (s *Service) AdminRevokeSession(ctx context.Context, a Actor, id uuid.UUID) error {
	return s.adminRevokeSession(ctx, a, uuid.Nil, id)
}

// AdminRevokeUserSession is AdminRevokeSession of a device named with its
// user (the console's /admin/users/{user}/sessions/{id}): a session of
// another user is not found, and stays as it is.
func (s *Service) AdminRevokeUserSession(ctx context.Context, a Actor, user, id uuid.UUID) error {
	if user == uuid.Nil {
		return Errorf(CodeNotFound, "no such session")
	}
	return s.adminRevokeSession(ctx, a, user, id)
}

// AdminGetUserSession returns session id of user; another user's session
// is not found, as a missing one is.
func (s *Service) AdminGetUserSession(ctx context.Context, user, id uuid.UUID) (*store.Session, error) {
	sess, err := s.store.GetSession(ctx, id)
	if errors.Is(err, store.ErrNotFound) || err == nil && sess.UserID != user {
		return nil, Errorf(CodeNotFound, "no such session")
	}
	if err != nil {
		return nil, fmt.Errorf("get session: %w", err)
	}
	return sess, nil
}

// adminRevokeSession revokes session id, of user unless that is uuid.Nil.
func (s *Service) adminRevokeSession(ctx context.Context, a Actor, user, id uuid.UUID) error {
	sess, err := s.store.GetSession(ctx, id)
	if errors.Is(err, store.ErrNotFound) || err == nil && user != uuid.Nil && sess.UserID != user {
		return Errorf(CodeNotFound, "no such session")
	}
	if err != nil {
		return fmt.Errorf("revoke session: %w", err)
	}
	if sess.RevokedAt != nil {
		return nil
	}
	if err := s.store.RevokeSession(ctx, id, s.now().UTC(), "revoked_by_admin"); err != nil {
		return fmt.Errorf("revoke session: %w", err)
	}
	s.auditAs(ctx, "admin_session_revoked", a, sess.UserID, id, map[string]string{"client_id": sess.ClientID})
	return nil
}
