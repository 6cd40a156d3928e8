package auth

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/oidc"
	"github.com/tessera-id/tessera/internal/store"
	"github.com/tessera-id/tessera/internal/token"
	"github.com/tessera-id/tessera/pkg/jwtverify"
)

// MaxAccessTTL bounds every access-token lifetime, server-wide or per
// client; the revocation feed looks back this far.
const MaxAccessTTL = 24 * time.Hour

// feedPage is the most revocations one feed answer carries (a variable
// only so that tests can make pages small).
var feedPage = 5000

// RevokedSession is one entry of the revocation feed: offline verifiers
// refuse tokens of SessionID until ExpiresAt, when all of them have expired.
type RevokedSession struct {
	SessionID uuid.UUID
	RevokedAt time.Time
	ExpiresAt time.Time
}

// RevocationFeed is one answer of the feed and the cursor to continue from.
type RevocationFeed struct {
	Revocations []RevokedSession
	Cursor      string
}

// feedOverlap is how far before its cursor the feed looks again. A
// revocation is stamped with its replica's clock before it commits, so one
// that commits late, or on a replica whose clock is behind, can sort before
// a cursor already handed out; re-sending the last seconds catches it, and
// verifiers ignore sessions they already know.
const feedOverlap = 15 * time.Second

// Revocations lists sessions revoked after cursor ("" starts at the oldest
// revocation whose access tokens may still be alive, otherwise a little
// before the cursor: see feedOverlap) whose tokens have not all expired
// yet. The returned cursor never moves backwards.
func (s *Service) Revocations(ctx context.Context, cursor string) (*RevocationFeed, error) {
	now := s.now().UTC()
	since, after := now.Add(-MaxAccessTTL-jwtverify.MaxLeeway), uuid.Nil
	if cursor != "" {
		var err error
		if since, after, err = decodeCursor(cursor); err != nil {
			return nil, Invalid(map[string][]string{"since": {"unknown cursor; start again without it"}})
		}
	}
	list, err := s.store.ListRevocations(ctx, since.Add(-feedOverlapIf(cursor)), uuid.Nil, feedPage)
	if err != nil {
		return nil, fmt.Errorf("revocations: %w", err)
	}
	if len(list) == feedPage && !pastCursor(list[len(list)-1], since, after) {
		// The look-back alone filled the page: more than a page was revoked
		// within feedOverlap before the cursor (one client's deletion, say).
		// Go on from the cursor itself, or a verifier would be sent the
		// same page for ever.
		more, err := s.store.ListRevocations(ctx, since, after, feedPage)
		if err != nil {
			return nil, fmt.Errorf("revocations: %w", err)
		}
		list = append(list, more...)
	}
	feed := &RevocationFeed{Cursor: encodeCursor(since, after), Revocations: []RevokedSession{}}
	for _, r := range list {
		exp := r.RevokedAt.Add(orDefault(r.AccessTTL, s.settings.AccessTTL) + jwtverify.MaxLeeway)
		if exp.After(now) {
			feed.Revocations = append(feed.Revocations, RevokedSession{SessionID: r.SessionID, RevokedAt: r.RevokedAt, ExpiresAt: exp})
		}
		if pastCursor(r, since, after) {
			since, after = r.RevokedAt, r.SessionID
			feed.Cursor = encodeCursor(since, after)
		}
	}
	return feed, nil
}

// pastCursor reports whether r sorts after the position (since, after) in
// the feed's (revoked_at, id) order.
func pastCursor(r store.Revocation, since time.Time, after uuid.UUID) bool {
	return r.RevokedAt.After(since) || (r.RevokedAt.Equal(since) && r.SessionID.String() > after.String())
}

func feedOverlapIf(cursor string) time.Duration {
	if cursor == "" {
		return 0
	}
	return feedOverlap
}

func encodeCursor(t time.Time, id uuid.UUID) string {
	return base64.RawURLEncoding.EncodeToString([]byte("v1:" + strconv.FormatInt(t.UnixMicro(), 10) + ":" + id.String()))
}

func decodeCursor(c string) (time.Time, uuid.UUID, error) {
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(c) > 100 {
		return time.Time{}, uuid.Nil, errors.New("bad cursor")
	}
	parts := strings.Split(string(raw), ":")
	if len(parts) != 3 || parts[0] != "v1" {
		return time.Time{}, uuid.Nil, errors.New("bad cursor")
	}
	micros, err1 := strconv.ParseInt(parts[1], 10, 64)
	id, err2 := uuid.Parse(parts[2])
	if err1 != nil || err2 != nil {
		return time.Time{}, uuid.Nil, errors.New("bad cursor")
	}
	return time.UnixMicro(micros).UTC(), id, nil
}

// RevokeToken is RFC 7009: a refresh or access token revokes its session,
// a classic token is deleted, a session cookie value ends its session.
// Unknown, invalid or already revoked tokens are not an error: the answer
// is the same 200 either way, so the endpoint tells nothing about tokens.
// A dev.ClientID is the client the request authenticated: it may revoke
// only the tokens issued to it (RFC 7009 s2.1), so another client's token,
// or a classic token (issued to no client), is unauthorized_client and
// stays valid.
func (s *Service) RevokeToken(ctx context.Context, raw string, dev Device) error {
	switch {
	case strings.HasPrefix(raw, token.RefreshPrefix):
		sess := s.sessionOfRefresh(ctx, raw)
		if sess == nil {
			return nil
		}
		return s.revokeForOAuth(ctx, sess.Auth(), dev)
	case strings.HasPrefix(raw, ClassicTokenPrefix):
		p, err := s.AuthenticateClassicToken(ctx, raw)
		if err != nil {
			return ignoreAuthError(err)
		}
		if dev.ClientID != "" {
			return errNotClientsToken
		}
		return ignoreAuthError(s.RevokeClassicToken(ctx, p.User, dev))
	case strings.HasPrefix(raw, SessionSecretPrefix):
		p, err := s.AuthenticateSessionCookie(ctx, raw)
		if err != nil {
			return ignoreAuthError(err)
		}
		return s.revokeForOAuth(ctx, p.Session, dev)
	}
	p, err := s.AuthenticateAccess(ctx, raw, "bearer")
	if err != nil {
		return ignoreAuthError(err)
	}
	return s.revokeForOAuth(ctx, p.Session, dev)
}

// ignoreAuthError keeps infrastructure failures and drops the answers a
// client may see (an unknown token is not an error for RFC 7009).
func ignoreAuthError(err error) error {
	var ae *Error
	if err == nil || errors.As(err, &ae) {
		return nil
	}
	return err
}

// errNotClientsToken refuses to revoke a token issued to another client
// than the one that authenticated the request.
var errNotClientsToken = Errorf(CodeUnauthorizedClient, "the token was not issued to this client")

func (s *Service) revokeForOAuth(ctx context.Context, sess *store.SessionAuth, dev Device) error {
	if dev.ClientID != "" && dev.ClientID != sess.ClientID {
		return errNotClientsToken
	}
	if err := s.store.RevokeSession(ctx, sess.ID, s.now().UTC(), "oauth_revoke"); err != nil {
		return fmt.Errorf("revoke token: %w", err)
	}
	s.audit(ctx, "session_revoked", sess.UserID, sess.ID, dev, map[string]string{"via": "oauth_revoke"})
	return nil
}

// sessionOfRefresh returns the session a well-formed refresh token with a
// valid MAC names, or nil.
func (s *Service) sessionOfRefresh(ctx context.Context, raw string) *store.Session {
	rt, err := token.Parse(raw)
	if err != nil {
		return nil
	}
	sess, err := s.store.GetSession(ctx, rt.SessionID)
	if err != nil || !s.refreshMatches(rt, sess) {
		return nil
	}
	return sess
}

// Introspection is an RFC 7662 answer; Active false means "say nothing
// else".
type Introspection struct {
	Active    bool
	TokenType string // "Bearer" for access tokens, "refresh_token" for refresh tokens
	Subject   string
	ClientID  string
	SessionID string
	Issuer    string
	Audience  []string
	IssuedAt  time.Time
	ExpiresAt time.Time
}

// Introspect reports whether an access or refresh token is active now:
// signature (or MAC), expiry and its session's state. Anything else is
// inactive.
func (s *Service) Introspect(ctx context.Context, raw, issuer string) (*Introspection, error) {
	if strings.HasPrefix(raw, token.RefreshPrefix) {
		return s.introspectRefresh(ctx, raw, issuer)
	}
	p, err := s.AuthenticateAccess(ctx, raw, "bearer")
	if ErrorCode(err) == CodeInvalidToken {
		return s.introspectService(ctx, raw)
	}
	if err != nil {
		return &Introspection{}, ignoreAuthError(err)
	}
	c := p.Claims
	return &Introspection{
		Active: true, TokenType: "Bearer", Subject: c.Subject, ClientID: c.ClientID, SessionID: c.SessionID,
		Issuer: c.Issuer, Audience: c.Audience, IssuedAt: c.IssuedAt.Time, ExpiresAt: c.ExpiresAt.Time,
	}, nil
}

// introspectService answers for a token no session stands behind: one of
// the client_credentials grant (sub and client_id both the client's id) is
// active while it verifies, as a resource server checking it offline finds
// it, and while its client is still a confidential client allowed the
// grant; anything else is inactive.
func (s *Service) introspectService(ctx context.Context, raw string) (*Introspection, error) {
	claims, err := s.access.verify(ctx, s.verifier, raw, s.now())
	if err != nil || claims.Subject != claims.ClientID {
		return &Introspection{}, nil
	}
	if _, err := uuid.Parse(claims.Subject); err == nil {
		return &Introspection{}, nil // a user's token whose session ended
	}
	c, err := s.getClient(ctx, claims.ClientID)
	if errors.Is(err, store.ErrNotFound) {
		return &Introspection{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("introspect: %w", err)
	}
	if c.Type != store.ClientConfidential || !OIDCClient(c).AllowsGrant(oidc.GrantClientCredentials) {
		return &Introspection{}, nil
	}
	return &Introspection{
		Active: true, TokenType: "Bearer", Subject: claims.Subject, ClientID: claims.ClientID,
		SessionID: claims.SessionID, Issuer: claims.Issuer, Audience: claims.Audience,
		IssuedAt: claims.IssuedAt.Time, ExpiresAt: claims.ExpiresAt.Time,
	}, nil
}

func (s *Service) introspectRefresh(ctx context.Context, raw, issuer string) (*Introspection, error) {
	rt, err := token.Parse(raw)
	if err != nil {
		return &Introspection{}, nil
	}
	sess, err := s.store.GetSession(ctx, rt.SessionID)
	if errors.Is(err, store.ErrNotFound) {
		return &Introspection{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("introspect: %w", err)
	}
	now := s.now().UTC()
	if !s.refreshMatches(rt, sess) || rt.Generation != sess.Generation || !sess.ActiveAt(now) {
		return &Introspection{}, nil
	}
	u, err := s.store.GetUser(ctx, sess.UserID)
	if err != nil || !u.IsActive {
		return &Introspection{}, ignoreNotFound(err)
	}
	return &Introspection{
		Active: true, TokenType: "refresh_token", Subject: sess.UserID.String(), ClientID: sess.ClientID,
		SessionID: sess.ID.String(), Issuer: issuer, IssuedAt: sess.RotatedAt,
		ExpiresAt: minTime(sess.IdleExpiresAt, sess.ExpiresAt),
	}, nil
}

func ignoreNotFound(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	return err
}
