package oidc

import (
	"slices"

	"github.com/tessera-id/tessera/internal/store"
)

// ClientType is public (no secret: a browser or native app) or
// confidential (authenticates with a secret), RFC 6749 s2.1.
type ClientType string

// The client types, as the store keeps them. Any other value is treated
// as public, the stricter.
const (
	ClientPublic       ClientType = store.ClientPublic
	ClientConfidential ClientType = store.ClientConfidential
)

// Grant types (RFC 6749), as the store keeps them.
const (
	GrantAuthorizationCode = store.GrantAuthorizationCode
	GrantRefreshToken      = store.GrantRefreshToken
	GrantClientCredentials = store.GrantClientCredentials
)

// Scopes Tessera knows (OpenID Connect Core s5.4 and s11), as the store
// keeps them.
const (
	ScopeOpenID        = store.ScopeOpenID
	ScopeProfile       = store.ScopeProfile
	ScopeEmail         = store.ScopeEmail
	ScopeOfflineAccess = store.ScopeOfflineAccess
)

// SupportedScopes are the scopes Tessera knows, in discovery order.
var SupportedScopes = []string{ScopeOpenID, ScopeProfile, ScopeEmail, ScopeOfflineAccess}

// Client is what the rules here need to know about a registered client.
// Scopes lists the scopes it may ask for (openid included); GrantTypes the
// grants it may use.
type Client struct {
	ID                     string
	Type                   ClientType
	RedirectURIs           []string
	PostLogoutRedirectURIs []string
	Scopes                 []string
	GrantTypes             []string
}

// Confidential reports whether c authenticates with a secret.
func (c *Client) Confidential() bool { return c.Type == ClientConfidential }

// AllowsGrant reports whether c may use grant type g.
func (c *Client) AllowsGrant(g string) bool { return slices.Contains(c.GrantTypes, g) }
