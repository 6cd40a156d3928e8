package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/store"
)

// ClientSecretPrefix starts every client secret, so a leaked one is
// recognisable (and secret scanners can find it).
const ClientSecretPrefix = "tcs_"

// MaxRedirectURIs bounds each of a client's redirect URI lists, and
// maxRedirectURILen each URI.
const (
	MaxRedirectURIs   = 20
	maxRedirectURILen = 2000
)

var (
	clientTypes = []string{store.ClientPublic, store.ClientConfidential}
	grantTypes  = []string{store.GrantAuthorizationCode, store.GrantRefreshToken, store.GrantClientCredentials}
	// allScopes is also what a new client is allowed unless told otherwise.
	allScopes = []string{store.ScopeOpenID, store.ScopeProfile, store.ScopeEmail, store.ScopeOfflineAccess}
	// defaultGrants is what a new client is allowed unless told otherwise.
	defaultGrants = []string{store.GrantAuthorizationCode, store.GrantRefreshToken}
)

// newClientSecret returns a client secret (256 random bits, ClientSecretPrefix
// and base64url) and the SHA-256 the database keeps instead of it. A plain
// hash, not a password hash, is right here as for the classic token: the
// secret is high-entropy, so no guess can be checked against the hash
// faster than against the server.
func newClientSecret() (string, []byte, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", nil, fmt.Errorf("new client secret: %w", err)
	}
	secret := ClientSecretPrefix + base64.RawURLEncoding.EncodeToString(b)
	return secret, hashKey(secret), nil
}

// errBadClientSecret answers every failed client authentication alike:
// unknown client, public client, wrong or malformed secret.
var errBadClientSecret = Errorf(CodeInvalidClient, "client authentication failed")

// VerifyClientSecret returns the confidential client id whose secret is
// secret. The presented secret's SHA-256 is compared with the stored one
// in constant time; any failure is the same invalid_client error, and a
// secret longer than any issued one is refused before it is hashed.
func (s *Service) VerifyClientSecret(ctx context.Context, id, secret string) (*store.Client, error) {
	if !validClientID(id) || len(secret) > maxSecretLen {
		return nil, errBadClientSecret
	}
	c, err := s.store.GetClient(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errBadClientSecret
	}
	if err != nil {
		return nil, fmt.Errorf("verify client secret: %w", err)
	}
	if c.Type != store.ClientConfidential || len(c.SecretHash) == 0 ||
		subtle.ConstantTimeCompare(hashKey(secret), c.SecretHash) != 1 {
		return nil, errBadClientSecret
	}
	return c, nil
}

// AdminRotateClientSecret gives the confidential client id a new secret,
// returned once; the old one stops working at once on every replica (a
// secret is always checked against the database). A public client has no
// secret: invalid_request.
func (s *Service) AdminRotateClientSecret(ctx context.Context, a Actor, id string) (*store.Client, string, error) {
	c, err := s.AdminGetClient(ctx, id)
	if err != nil {
		return nil, "", err
	}
	if c.Type != store.ClientConfidential {
		return nil, "", Errorf(CodeInvalidRequest, "a public client has no secret")
	}
	secret, hash, err := newClientSecret()
	if err != nil {
		return nil, "", err
	}
	now := s.now().UTC()
	defer s.forgetClient(id)
	if err := s.store.SetClientSecret(ctx, id, hash, now); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, "", Errorf(CodeNotFound, "no such client")
		}
		return nil, "", fmt.Errorf("rotate client secret: %w", err)
	}
	c.SecretHash, c.SecretCreatedAt, c.UpdatedAt = hash, &now, now
	s.auditAs(ctx, "admin_client_secret_rotated", a, uuid.Nil, uuid.Nil, map[string]string{"client_id": id})
	return c, secret, nil
}

// applyClientOAuth copies the set OAuth fields of in to c, reporting invalid
// ones in fe. It runs after c.Type is settled.
func applyClientOAuth(c *store.Client, in ClientInput, fe fieldErrors) {
	if in.RedirectURIs != nil {
		c.RedirectURIs = checkRedirectURIs("redirect_uris", in.RedirectURIs, fe)
	}
	if in.PostLogoutRedirectURIs != nil {
		c.PostLogoutRedirectURIs = checkRedirectURIs("post_logout_redirect_uris", in.PostLogoutRedirectURIs, fe)
	}
	if in.FirstParty != nil {
		c.FirstParty = *in.FirstParty
	}
	if in.LogoutEndsSessions != nil {
		c.LogoutEndsSessions = *in.LogoutEndsSessions
	}
	if in.RequireMFA != nil {
		c.RequireMFA = *in.RequireMFA
	}
	if in.GrantTypes != nil {
		c.GrantTypes = checkSubset("grant_types", in.GrantTypes, grantTypes, fe)
	}
	if c.Type != store.ClientConfidential && slices.Contains(c.GrantTypes, store.GrantClientCredentials) {
		fe.add("grant_types", "client_credentials is for confidential clients only")
	}
	if in.Scopes != nil {
		c.Scopes = checkSubset("scopes", in.Scopes, allScopes, fe)
	}
}

// checkSubset returns list without repeats, reporting an empty list and
// every value not in allowed under field.
func checkSubset(field string, list, allowed []string, fe fieldErrors) []string {
	out := dedupe(list)
	if len(out) == 0 {
		fe.add(field, "must list at least one of "+strings.Join(allowed, ", "))
	}
	for _, v := range out {
		if !slices.Contains(allowed, v) {
			fe.add(field, fmt.Sprintf("%q is not one of %s", quoteable(v), strings.Join(allowed, ", ")))
		}
	}
	return out
}

// checkRedirectURIs returns the URIs without repeats, exactly as given
// (they are matched character for character later), and reports each one
// that checkRedirectURI refuses, and a list longer than MaxRedirectURIs.
func checkRedirectURIs(field string, list []string, fe fieldErrors) []string {
	out := []string{}
	for _, u := range list {
		if !slices.Contains(out, u) {
			out = append(out, u)
		}
	}
	if len(out) > MaxRedirectURIs {
		fe.add(field, fmt.Sprintf("must list at most %d URIs", MaxRedirectURIs))
		return out
	}
	for _, u := range out {
		if msg := checkRedirectURI(u); msg != "" {
			fe.add(field, fmt.Sprintf("%q %s", quoteable(u), msg))
		}
	}
	return out
}

// checkRedirectURI says what is wrong with u as a redirect URI, or "" if
// nothing is (RFC 6749 s3.1.2, RFC 9700 s2.1, RFC 8252 s7): an absolute
// URI of printable ASCII without a fragment or credentials, and either
// https with a host, http on a loopback host with any port (native apps),
// or a private-use scheme named after a reverse domain (com.example.app:/cb).
func checkRedirectURI(u string) string {
	if len(u) > maxRedirectURILen {
		return fmt.Sprintf("is longer than %d bytes", maxRedirectURILen)
	}
	if strings.ContainsFunc(u, func(r rune) bool { return r <= ' ' || r >= 0x7f }) {
		return "must be printable ASCII without spaces"
	}
	if strings.Contains(u, "#") {
		return "must not have a fragment"
	}
	p, err := url.Parse(u)
	if err != nil || !p.IsAbs() {
		return "is not an absolute URI"
	}
	if p.User != nil {
		return "must not carry credentials"
	}
	switch p.Scheme {
	case "https":
		if p.Host == "" || p.Hostname() == "" {
			return "has no host"
		}
	case "http":
		switch p.Hostname() {
		case "127.0.0.1", "::1", "localhost":
		default:
			return "uses http: only http://127.0.0.1, http://[::1] and http://localhost are allowed (any port)"
		}
	default:
		if !strings.Contains(p.Scheme, ".") || p.Opaque != "" {
			return "must use https, loopback http, or a private-use scheme such as com.example.app:/cb"
		}
	}
	return ""
}

// quoteable cuts v to 100 bytes for an error message, which must not echo
// input of any size.
func quoteable(v string) string {
	if len(v) > 100 {
		return v[:100] + "..."
	}
	return v
}
