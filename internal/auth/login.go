package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/identifier"
	"github.com/tessera-id/tessera/internal/password"
	"github.com/tessera-id/tessera/internal/store"
	"github.com/tessera-id/tessera/internal/token"
)

// Delivery modes: how a login's tokens travel.
const (
	DeliveryBody    = "body"
	DeliveryCookie  = "cookie"
	DeliverySession = "session"
	// DeliveryToken is not a login delivery: a client allowing it may obtain
	// the classic one-per-user token.
	DeliveryToken = "token"
)

// RegisterInput is a registration request.
type RegisterInput struct {
	Email    string
	Password string
	Username string // optional
	Delivery string
	Device   Device
}

// LoginInput is a login request: Email or Username names the account.
type LoginInput struct {
	Email    string
	Username string
	Password string
	Delivery string
	Device   Device
}

// Register creates an account and logs it in on the calling device. A taken
// e-mail or username is a 409 (email_taken, username_taken): a registration
// that logs in at once cannot hide whether the address exists. Under
// mandatory e-mail verification no session is opened (Login.Pending), so a
// taken e-mail is answered exactly like a new one and its owner is told by
// mail instead.
func (s *Service) Register(ctx context.Context, in RegisterInput) (*Login, error) {
	client, err := s.client(ctx, in.Device.ClientID, in.Delivery)
	if err != nil {
		return nil, err
	}
	u, pending, err := s.createAccount(ctx, in)
	if pending != nil || err != nil {
		return pending, err
	}
	if err := s.secondFactorDue(ctx, u, client, in.Delivery, in.Device); err != nil {
		return nil, err
	}
	return s.startSession(ctx, u, client, in.Delivery, in.Device, []string{AMRPassword})
}

// createAccount checks and stores the account of a registration, audits
// it and mails the verification link. When no session may be opened
// (mandatory verification, a taken e-mail hidden) it returns the pending
// answer instead of the user.
func (s *Service) createAccount(ctx context.Context, in RegisterInput) (*store.User, *Login, error) {
	fe := fieldErrors{}
	email, err := identifier.NormalizeEmail(in.Email)
	if in.Email == "" {
		fe.add("email", "this field is required")
	} else if err != nil {
		fe.add("email", err.Error())
	}
	var username, usernameNorm *string
	if in.Username != "" {
		n, err := identifier.NormalizeUsername(in.Username)
		if err != nil {
			fe.add("username", err.Error())
		}
		raw := strings.TrimSpace(in.Username)
		username, usernameNorm = &raw, &n
	}
	if in.Password == "" {
		fe.add("password", "this field is required")
	} else {
		for _, p := range s.policy.Check(in.Password) {
			fe.add("password", p)
		}
	}
	if err := fe.err(); err != nil {
		return nil, nil, err
	}
	hash, err := s.hasher.Hash(ctx, in.Password)
	if err != nil {
		return nil, nil, s.hashError(err)
	}
	now := s.now().UTC()
	u := &store.User{
		ID: newID(), Email: strings.TrimSpace(in.Email), EmailNormalized: email,
		Username: username, UsernameNormalized: usernameNorm, PasswordHash: hash,
		IsActive: true, CreatedAt: now, UpdatedAt: now, LastLoginAt: &now, PasswordChangedAt: now,
	}
	if err := s.store.CreateUser(ctx, u); err != nil {
		pending, err := s.registerFailed(ctx, err, email, in.Device)
		return nil, pending, err
	}
	s.audit(ctx, "register", u.ID, uuid.Nil, in.Device, nil)
	if pending := s.registered(ctx, u, in.Device); pending != nil {
		return nil, pending, nil
	}
	return u, nil, nil
}

// registerFailed answers a registration whose insert failed: a taken
// username or e-mail is a 409, except that a taken e-mail is answered like
// a new one when registration must hide it (mandatory verification).
func (s *Service) registerFailed(ctx context.Context, err error, email string, dev Device) (*Login, error) {
	var ce *store.ConflictError
	if errors.As(err, &ce) && ce.Field == "username" {
		return nil, &Error{Code: CodeUsernameTaken, Message: "this username is taken",
			Fields: map[string][]string{"username": {"is taken"}}}
	}
	if errors.As(err, &ce) && ce.Field == "email" && s.hidesTakenEmails() {
		return s.registeredExisting(ctx, email, dev), nil
	}
	if errors.As(err, &ce) {
		return nil, &Error{Code: CodeEmailTaken, Message: "an account with this e-mail exists",
			Fields: map[string][]string{"email": {"is taken"}}}
	}
	return nil, fmt.Errorf("register: %w", err)
}

// Login checks credentials and opens a new session for the device. Every
// failure, unknown account included, costs one password hash and gives the
// same answer. An account with a second factor gets no session yet: the
// error is an *MFARequired whose mfa_token CompleteMFA takes.
func (s *Service) Login(ctx context.Context, in LoginInput) (*Login, error) {
	client, err := s.client(ctx, in.Device.ClientID, in.Delivery)
	if err != nil {
		return nil, err
	}
	u, err := s.signInUser(ctx, in.Email, in.Username, in.Password, in.Device)
	if err != nil {
		return nil, err
	}
	if err := s.secondFactorDue(ctx, u, client, in.Delivery, in.Device); err != nil {
		return nil, err
	}
	return s.startSession(ctx, u, client, in.Delivery, in.Device, []string{AMRPassword})
}

// signInUser is the account a password sign-in (API login or hosted page)
// may open a session for: credentials present, the password right (with
// the brute-force limits and timing of CheckPassword), and the address
// verified when verification is mandatory (a refusal audited).
func (s *Service) signInUser(ctx context.Context, email, username, password string, dev Device) (*store.User, error) {
	if err := requireCredentials(email, username, password); err != nil {
		return nil, err
	}
	u, err := s.CheckPassword(ctx, email, username, password, dev)
	if err != nil {
		return nil, err
	}
	if err := s.requireVerified(u); err != nil {
		s.audit(ctx, "login_refused", u.ID, uuid.Nil, dev, map[string]string{"reason": CodeEmailNotVerified})
		return nil, err
	}
	return u, nil
}

// requireCredentials refuses a sign-in that names no account or has no
// password, field by field, before any hashing.
func requireCredentials(email, username, password string) error {
	if (email != "" || username != "") && password != "" {
		return nil
	}
	fe := fieldErrors{}
	if email == "" && username == "" {
		fe.add("email", "email or username is required")
	}
	if password == "" {
		fe.add("password", "this field is required")
	}
	return fe.err()
}

// CheckPassword returns the active user named by email (or username) whose
// password is pw. It is the one place passwords are checked, so every
// authenticator gets the same brute-force limits, timing and audit trail.
func (s *Service) CheckPassword(ctx context.Context, email, username, pw string, dev Device) (*store.User, error) {
	u, outcome, err := s.checkPassword(ctx, email, username, pw, dev)
	s.observer.Login(outcome)
	return u, err
}

func (s *Service) checkPassword(ctx context.Context, email, username, pw string, dev Device) (*store.User, string, error) {
	now := s.now().UTC()
	// The look-up comes first: it decides which counter the name uses.
	u, err := s.lookupUser(ctx, email, username)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, OutcomeError, fmt.Errorf("check password: %w", err)
	}
	account, addr := s.throttleKeys(email, username, u != nil, dev.IP)
	failures, err := s.admitAttempt(ctx, account, addr, now)
	if err != nil {
		if ErrorCode(err) == CodeRateLimited {
			return nil, LoginThrottled, err
		}
		return nil, OutcomeError, err
	}
	phc := s.hasher.DummyHash()
	if u != nil {
		phc = u.PasswordHash
	}
	ok, rehash, err := s.verifyQueued(ctx, pw, phc)
	if err != nil {
		if ErrorCode(err) == CodeUnavailable {
			return nil, LoginBusy, err
		}
		return nil, OutcomeError, err
	}
	if u == nil || !ok || !u.IsActive {
		var uid uuid.UUID
		if u != nil {
			uid = u.ID
		}
		s.audit(ctx, "login_failed", uid, uuid.Nil, dev, nil)
		if err := s.attemptFailed(ctx, addr, failures, now); err != nil {
			return nil, OutcomeError, err
		}
		return nil, LoginFailed, errBadCredentials
	}
	newHash := ""
	if rehash {
		// Parameters were raised since this hash was made, or another
		// system made it: upgrade it now that the password is known (best
		// effort: a busy hasher leaves it for the next login).
		newHash, _ = s.hasher.Hash(ctx, pw)
	}
	oldHash := u.PasswordHash
	// The right password clears the account's count in the same write.
	u, err = s.store.RecordLogin(ctx, store.LoginRecord{
		ID: u.ID, Now: now, OldHash: oldHash, NewHash: newHash, ClearThrottle: account})
	if errors.Is(err, store.ErrNotFound) {
		// Deactivated while the password was being checked.
		return nil, LoginFailed, errBadCredentials
	}
	if err != nil {
		return nil, OutcomeError, fmt.Errorf("record login: %w", err)
	}
	if newHash != "" && u.PasswordHash == newHash {
		s.audit(ctx, "password_rehashed", u.ID, uuid.Nil, dev, map[string]string{
			"from": s.hasher.Classify(oldHash), "to": password.SchemeCurrent})
	}
	return u, LoginSuccess, nil
}

// hashQueueWait is how long a password check waits for a hashing slot
// before the request is answered 503: under a login storm requests queue
// briefly instead of piling up memory.
const hashQueueWait = 3 * time.Second

// verifyQueued checks pw against phc, waiting at most hashQueueWait for a
// slot of the hasher's concurrency limit. A foreign hash (imported from
// another system) that verifies is reported as needing a rehash.
func (s *Service) verifyQueued(ctx context.Context, pw, phc string) (ok, rehash bool, err error) {
	qctx, cancel := context.WithTimeout(ctx, hashQueueWait)
	defer cancel()
	if password.IsForeign(phc) {
		ok, err = s.verifyForeign(qctx, pw, phc)
		rehash = ok
	} else {
		ok, rehash, err = s.hasher.Verify(qctx, pw, phc)
	}
	if err != nil && !errors.Is(err, password.ErrMalformedHash) {
		return false, false, s.hashError(err)
	}
	return ok, rehash, nil
}

// verifyForeign checks pw against a hash another system made, under the
// hasher's concurrency limit, at that system's own cost. Legacy digests
// are accepted here: the import refused them unless the operator allowed
// them. A hash that costs next to nothing to refuse (unusable, unknown,
// malformed) or to check (a legacy digest) is followed by a check against
// the dummy hash, so that such an account answers no faster than an
// unknown one.
func (s *Service) verifyForeign(ctx context.Context, pw, encoded string) (bool, error) {
	ok, err := s.hasher.VerifyForeign(ctx, pw, encoded, password.ForeignOptions{AllowLegacy: true})
	if errors.Is(err, password.ErrBusy) {
		return false, err
	}
	name, _ := password.Scheme(encoded, true)
	if err == nil && !password.IsLegacyScheme(name) {
		return ok, nil
	}
	if _, _, derr := s.hasher.Verify(ctx, pw, s.hasher.DummyHash()); derr != nil {
		return false, derr
	}
	return ok && err == nil, nil
}

func (s *Service) lookupUser(ctx context.Context, email, username string) (*store.User, error) {
	if email != "" {
		n, err := identifier.NormalizeEmail(email)
		if err != nil {
			return nil, store.ErrNotFound
		}
		return s.store.GetUserByEmail(ctx, n)
	}
	n, err := identifier.NormalizeUsername(username)
	if err != nil {
		return nil, store.ErrNotFound
	}
	return s.store.GetUserByUsername(ctx, n)
}

func (s *Service) hashError(err error) error {
	if errors.Is(err, password.ErrBusy) {
		return &Error{Code: CodeUnavailable, Message: "too many logins at once, retry shortly", RetryAfterSeconds: 1}
	}
	return fmt.Errorf("hash password: %w", err)
}

// client loads the client a request names (the default one when empty) and
// checks that it allows the delivery mode. An id of a shape no client can
// have is refused first, without a query, a cache entry or an echo of it.
func (s *Service) client(ctx context.Context, id, delivery string) (*store.Client, error) {
	if id == "" {
		id = store.DefaultClientID
	}
	if !validClientID(id) {
		return nil, errMalformedClientID
	}
	switch delivery {
	case DeliveryBody, DeliveryCookie, DeliverySession, DeliveryToken:
	default:
		return nil, Invalid(map[string][]string{"delivery": {"must be one of body, cookie, session"}})
	}
	c, err := s.getClient(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, Errorf(CodeInvalidClient, "unknown client_id %q", id)
	}
	if err != nil {
		return nil, fmt.Errorf("get client: %w", err)
	}
	if len(c.AllowedDelivery) > 0 && !contains(c.AllowedDelivery, delivery) {
		return nil, Errorf(CodeInvalidClient, "client %q does not allow delivery %q", id, delivery)
	}
	return c, nil
}

// startSession opens a device session for u, signed in now by amr (RFC
// 8176 names, kept on the session so every access token it issues carries
// them), and issues its first pair.
func (s *Service) startSession(ctx context.Context, u *store.User, c *store.Client, delivery string, dev Device, amr []string) (*Login, error) {
	nonce, err := token.NewNonce()
	if err != nil {
		return nil, fmt.Errorf("start session: %w", err)
	}
	now := s.now().UTC()
	kind, secret := store.SessionKindJWT, ""
	var secretHash []byte
	if delivery == DeliverySession {
		kind = store.SessionKindCookie
		if secret, secretHash, err = newCookieSecret(SessionSecretPrefix); err != nil {
			return nil, fmt.Errorf("start session: %w", err)
		}
	}
	sess := &store.Session{
		ID: newID(), UserID: u.ID, ClientID: c.ID, Kind: kind,
		DeviceName: label(dev.Name, maxDeviceName), UserAgent: label(dev.UserAgent, maxUserAgent), IP: dev.IP,
		CreatedAt: now, LastUsedAt: now, RotatedAt: now,
		IdleExpiresAt: now.Add(orDefault(c.IdleTTL, s.settings.SessionIdleTTL)),
		ExpiresAt:     now.Add(orDefault(c.MaxTTL, s.settings.SessionMaxTTL)),
		Generation:    1, Nonce: nonce, SecretHash: secretHash,
		AuthTime: &now, AMR: amr, MFAAt: mfaTime(amr, now),
	}
	if kind == store.SessionKindJWT {
		sess.RefreshDigest = s.firstDigest(sess)
	}
	if err := s.openSession(ctx, sess, dev, delivery); err != nil {
		return nil, fmt.Errorf("start session: %w", err)
	}
	if kind == store.SessionKindCookie {
		// No JWT leaves the server: the cookie is the session.
		return &Login{User: u, Session: sess.Auth(), Client: c, SessionSecret: secret,
			RefreshExpiresAt: minTime(sess.IdleExpiresAt, sess.ExpiresAt)}, nil
	}
	return s.issueCurrent(u, sess, c)
}

// issueCurrent is issue with the refresh token of the session's current
// generation, derived from its nonce: that of a session just begun.
func (s *Service) issueCurrent(u *store.User, sess *store.Session, c *store.Client) (*Login, error) {
	return s.issue(u, sess.Auth(), c, s.refresher.First(sess.ID, sess.Generation, sess.Nonce))
}

// issue mints the access token and answers it with the refresh token rt.
// A user who must verify the address first gets email_not_verified
// instead, so refresh refuses them too.
func (s *Service) issue(u *store.User, sess *store.SessionAuth, c *store.Client, rt token.Refresh) (*Login, error) {
	if err := s.requireVerified(u); err != nil {
		return nil, err
	}
	ttl := orDefault(c.AccessTTL, s.settings.AccessTTL)
	aud := s.settings.Audiences
	if len(c.Audiences) > 0 {
		aud = c.Audiences
	}
	raw, claims, err := s.minter.Mint(token.Access{
		Subject: u.ID.String(), ClientID: c.ID, SessionID: sess.ID.String(),
		Audience: aud, Roles: u.Roles(), Scope: sess.Scope, AMR: sess.AMR, TTL: ttl,
	})
	if err != nil {
		return nil, fmt.Errorf("mint access token: %w", err)
	}
	return &Login{
		User: u, Session: sess, Client: c,
		AccessToken: raw, AccessExpiresAt: claims.ExpiresAt.Time,
		RefreshToken:     rt.String(),
		RefreshExpiresAt: minTime(sess.IdleExpiresAt, sess.ExpiresAt),
	}, nil
}

func newID() uuid.UUID {
	// Version 7 ids sort by creation time, which keeps primary-key indexes
	// compact; they are identifiers, never secrets.
	id, err := uuid.NewV7()
	if err != nil {
		return uuid.New()
	}
	return id
}

// The longest device name and user agent a session or an event keeps, in
// bytes.
const (
	maxDeviceName = 200
	maxUserAgent  = 500
)

// label is s, a device's name or user agent as the client sent it, made
// fit to store and to show: bytes that are not UTF-8 become U+FFFD and
// control characters are dropped (Postgres's text takes neither a NUL
// nor invalid UTF-8, and no list should print a newline or an escape),
// then it is cut to at most n bytes on a character boundary.
func label(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if strings.IndexFunc(s, unicode.IsControl) >= 0 {
		s = strings.Map(func(r rune) rune {
			if unicode.IsControl(r) {
				return -1
			}
			return r
		}, s)
	}
	return truncate(s, n)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	// Cut on a rune boundary so the stored text stays valid UTF-8.
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
