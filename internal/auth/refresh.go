package auth

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/tessera-id/tessera/internal/store"
	"github.com/tessera-id/tessera/internal/token"
)

// Refresh exchanges a refresh token for a new pair. With generation g:
//   - g is current: one conditional statement checks the token's digest,
//     the session's life, its user and client, moves the session to g+1
//     and returns it with its user; of concurrent callers exactly one wins,
//     the others fall into the next case;
//   - g is the previous generation and the rotation is younger than the
//     grace period: the current pair is returned again (no second rotation),
//     after a second read shows the session and its user still active;
//   - anything older is reuse of a stolen token: the whole session is
//     revoked and refresh_reuse audited.
//
// A refresh token is bound to the client it was issued to (RFC 6749 s6):
// when dev.ClientID is set and names another client, the answer is
// invalid_grant and the session is left as it was, neither rotated nor
// revoked. Every failure is the same invalid_grant.
func (s *Service) Refresh(ctx context.Context, raw string, dev Device) (*Login, error) {
	l, outcome, err := s.refresh(ctx, raw, dev)
	if err != nil && outcome == "" {
		outcome = RefreshInvalid
		if ErrorCode(err) == CodeInternal || ErrorCode(err) == CodeUnavailable {
			outcome = OutcomeError
		}
	}
	s.observer.Refresh(outcome)
	return l, err
}

func (s *Service) refresh(ctx context.Context, raw string, dev Device) (*Login, string, error) {
	rt, err := token.Parse(raw)
	if err != nil {
		return nil, "", errBadGrant
	}
	if dev.ClientID != "" && !validClientID(dev.ClientID) {
		// No client has such an id, so the token is not this client's;
		// nor does the database see text it may refuse (a NUL).
		return nil, "", errBadGrant
	}
	// The common case costs one statement: the presented token's digest,
	// the session's life, its user and client are checked and the session
	// rotated and returned with its user at once. Anything else (a lost
	// race, the grace window, reuse, a session from before refresh
	// digests, a refusal) takes the read below to find out which.
	next := s.refresher.Next(rt)
	now := s.now().UTC()
	sess, u, err := s.store.RotateRefresh(ctx, store.Rotation{
		ID: rt.SessionID, Generation: rt.Generation, Digest: rt.Digest(), NextDigest: next.Digest(),
		ClientID: dev.ClientID, ClientAuthenticated: dev.ClientAuthenticated,
		Now: now, DefaultIdleTTL: s.settings.SessionIdleTTL,
	})
	if err == nil {
		client, err := s.clientTTLs(ctx, sess.ClientID)
		if err != nil {
			return nil, "", err
		}
		l, err := s.issue(u, sess, client, next)
		return l, RefreshRotated, err
	}
	if !errors.Is(err, store.ErrStale) {
		return nil, "", fmt.Errorf("refresh: %w", err)
	}
	return s.refreshSlow(ctx, rt, dev, now)
}

// refreshSlow answers a refresh the one-statement rotation refused, from
// one read of the session and its user: the grace case, reuse, a refusal
// (with its own error), and sessions without a refresh digest, whose
// tokens derive from their nonce and rotate as they always did. The user
// read here is current enough: disabling or demoting a user revokes their
// sessions, which every conditional rotation refuses.
//
// arrived is when the token was presented: a previous generation whose
// rotation happened since then lost a race rather than being reused, so
// outside the grace window it is refused without revoking anything.
func (s *Service) refreshSlow(ctx context.Context, rt token.Refresh, dev Device, arrived time.Time) (*Login, string, error) {
	sess, u, err := s.store.GetSessionAndUser(ctx, rt.SessionID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, "", errBadGrant
	}
	if err != nil {
		return nil, "", fmt.Errorf("refresh: %w", err)
	}
	if sess.Kind != store.SessionKindJWT || !s.refreshMatches(rt, sess) || !u.IsActive {
		return nil, "", errBadGrant
	}
	if dev.ClientID != "" && dev.ClientID != sess.ClientID {
		return nil, "", errBadGrant
	}
	now := s.now().UTC()
	if !sess.ActiveAt(now) {
		return nil, "", errBadGrant
	}
	client, err := s.clientTTLs(ctx, sess.ClientID)
	if err != nil {
		return nil, "", err
	}
	if client.Type == store.ClientConfidential && !dev.ClientAuthenticated {
		// RFC 6749 s6: a confidential client authenticates to refresh.
		return nil, "", errBadClientSecret
	}
	outcome := RefreshRotated
	switch {
	case rt.Generation == sess.Generation && sess.RefreshDigest != nil:
		// Current and acceptable, yet the rotation matched nothing: the
		// session changed in between (a concurrent rotation or revocation).
		return nil, "", errBadGrant
	case rt.Generation == sess.Generation:
		if sess, err = s.rotate(ctx, sess, client, rt.Generation); err != nil {
			return nil, "", err
		}
	case rt.Generation == sess.Generation-1 && now.Sub(sess.RotatedAt) < s.settings.RefreshGrace:
		// A benign race (two tabs, a retried request): hand out the
		// current generation again.
		outcome = RefreshGrace
		if sess, u, err = s.reread(ctx, sess, now); err != nil {
			return nil, "", err
		}
	case rt.Generation == sess.Generation-1 && !sess.RotatedAt.Before(arrived.Truncate(time.Microsecond)):
		return nil, "", errBadGrant
	default:
		return nil, RefreshReuse, s.reuse(ctx, sess, rt.Generation, dev)
	}
	cur := s.refresher.First(sess.ID, sess.Generation, sess.Nonce)
	if sess.RefreshDigest != nil {
		cur = s.refresher.Next(rt)
	}
	l, err := s.issue(u, sess.Auth(), client, cur)
	return l, outcome, err
}

// refreshMatches reports whether rt is a genuine token of sess at its
// generation or an earlier one. A session with a refresh digest checks
// by walking the chain from rt to its current generation (bounded by
// token.MaxChainWalk); an older session checks the nonce-derived MAC.
func (s *Service) refreshMatches(rt token.Refresh, sess *store.Session) bool {
	if sess.RefreshDigest == nil {
		return s.refresher.Check(rt, sess.Nonce)
	}
	return s.refresher.Reaches(rt, sess.Generation, sess.RefreshDigest)
}

// rotate moves sess from gen to gen+1. When another caller won the race it
// re-reads the session, which then sits at gen+1 inside the grace window.
func (s *Service) rotate(ctx context.Context, sess *store.Session, client *store.Client, gen int64) (*store.Session, error) {
	now := s.now().UTC()
	idle := minTime(now.Add(orDefault(client.IdleTTL, s.settings.SessionIdleTTL)), sess.ExpiresAt)
	next, err := s.store.RotateSession(ctx, sess.ID, gen, now, idle)
	if err == nil {
		return next, nil
	}
	if !errors.Is(err, store.ErrStale) {
		return nil, fmt.Errorf("rotate refresh: %w", err)
	}
	cur, err := s.store.GetSession(ctx, sess.ID)
	if err != nil {
		return nil, fmt.Errorf("rotate refresh: %w", err)
	}
	if cur.Generation == gen+1 && cur.ActiveAt(now) && now.Sub(cur.RotatedAt) < s.settings.RefreshGrace {
		return cur, nil
	}
	return nil, errBadGrant
}

// reread loads sess and its user again before the grace case answers. No
// conditional write stands between that answer and a revocation (a logout,
// a deactivation) that committed after the first read, so this read does:
// the session must still be active at the same generation, its user too.
// It costs a round trip on the grace path only.
func (s *Service) reread(ctx context.Context, sess *store.Session, now time.Time) (*store.Session, *store.User, error) {
	cur, u, err := s.store.GetSessionAndUser(ctx, sess.ID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, errBadGrant
	}
	if err != nil {
		return nil, nil, fmt.Errorf("refresh: %w", err)
	}
	if cur.Generation != sess.Generation || !cur.ActiveAt(now) || !u.IsActive {
		return nil, nil, errBadGrant
	}
	return cur, u, nil
}

func (s *Service) reuse(ctx context.Context, sess *store.Session, gen int64, dev Device) error {
	now := s.now().UTC()
	if err := s.store.RevokeSession(ctx, sess.ID, now, "refresh_reuse"); err != nil {
		return fmt.Errorf("revoke reused session: %w", err)
	}
	s.audit(ctx, "refresh_reuse", sess.UserID, sess.ID, dev, map[string]string{
		"presented_generation": strconv.FormatInt(gen, 10),
		"current_generation":   strconv.FormatInt(sess.Generation, 10),
	})
	return errBadGrant
}

// clientTTLs loads a session's client; a client deleted since the login
// falls back to the server defaults rather than stranding its sessions.
func (s *Service) clientTTLs(ctx context.Context, id string) (*store.Client, error) {
	c, err := s.getClient(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return &store.Client{ID: id}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("get client: %w", err)
	}
	return c, nil
}

// firstDigest is the refresh digest a new JWT session stores: that of its
// first token, which derives from its nonce.
func (s *Service) firstDigest(sess *store.Session) []byte {
	return s.refresher.First(sess.ID, sess.Generation, sess.Nonce).Digest()
}
