package view

import (
	"time"

	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/auth"
	"github.com/tessera-id/tessera/internal/store"
)

// AdminUser is a user as admins see it.
type AdminUser struct {
	ID                string     `json:"id"`
	Email             string     `json:"email"`
	Username          *string    `json:"username"`
	FirstName         string     `json:"first_name"`
	LastName          string     `json:"last_name"`
	ExternalID        *string    `json:"external_id"`
	Roles             []string   `json:"roles"`
	IsActive          bool       `json:"is_active"`
	IsAdmin           bool       `json:"is_admin"`
	EmailVerified     bool       `json:"email_verified"`
	EmailVerifiedAt   *time.Time `json:"email_verified_at"`
	CreatedAt         time.Time  `json:"created_at"`
	UpdatedAt         time.Time  `json:"updated_at"`
	LastLoginAt       *time.Time `json:"last_login_at"`
	PasswordChangedAt time.Time  `json:"password_changed_at"`
}

// NewAdminUser returns the admin view of u.
func NewAdminUser(u *store.User) AdminUser {
	return AdminUser{
		ID: u.ID.String(), Email: u.Email, Username: u.Username, FirstName: u.FirstName,
		LastName: u.LastName, ExternalID: u.ExternalID, Roles: nonNil(u.Roles()),
		IsActive: u.IsActive, IsAdmin: u.IsAdmin,
		EmailVerified: u.EmailVerifiedAt != nil, EmailVerifiedAt: u.EmailVerifiedAt, CreatedAt: u.CreatedAt,
		UpdatedAt: u.UpdatedAt, LastLoginAt: u.LastLoginAt, PasswordChangedAt: u.PasswordChangedAt,
	}
}

// AdminSession is one device session of any user. It never carries the
// session's nonce or secret hash.
type AdminSession struct {
	Session
	UserID        string     `json:"user_id"`
	RevokedAt     *time.Time `json:"revoked_at"`
	RevokedReason string     `json:"revoked_reason"`
}

// NewAdminSession returns the admin view of s.
func NewAdminSession(s *store.Session) AdminSession {
	return AdminSession{Session: NewSession(s), UserID: s.UserID.String(),
		RevokedAt: s.RevokedAt, RevokedReason: s.RevokedReason}
}

// AdminClient is a client application. TTLs are whole seconds; 0 means
// the server's default. It never carries the secret's hash; ClientSecret
// is set only in the answer that creates or rotates a secret, the one time
// the secret is shown.
type AdminClient struct {
	ClientID               string     `json:"client_id"`
	Name                   string     `json:"name"`
	AllowedDelivery        []string   `json:"allowed_delivery"`
	AccessTTLSeconds       int64      `json:"access_ttl_seconds"`
	IdleTTLSeconds         int64      `json:"idle_ttl_seconds"`
	MaxTTLSeconds          int64      `json:"max_ttl_seconds"`
	CORSOrigins            []string   `json:"cors_origins"`
	Audiences              []string   `json:"audiences"`
	RedirectURIs           []string   `json:"redirect_uris"`
	PostLogoutRedirectURIs []string   `json:"post_logout_redirect_uris"`
	Type                   string     `json:"type"`
	FirstParty             bool       `json:"first_party"`
	GrantTypes             []string   `json:"grant_types"`
	Scopes                 []string   `json:"scopes"`
	LogoutEndsSessions     bool       `json:"logout_ends_sessions"`
	SecretCreatedAt        *time.Time `json:"secret_created_at"`
	ClientSecret           string     `json:"client_secret,omitempty"`
	CreatedAt              time.Time  `json:"created_at"`
	UpdatedAt              time.Time  `json:"updated_at"`
	// RequireMFA: the client's sessions need a second factor.
	RequireMFA bool `json:"require_mfa"`
}

// NewAdminClient returns the admin view of c; lists are never null.
func NewAdminClient(c *store.Client) AdminClient {
	return AdminClient{
		ClientID: c.ID, Name: c.Name, AllowedDelivery: orEmpty(c.AllowedDelivery),
		AccessTTLSeconds: int64(c.AccessTTL / time.Second), IdleTTLSeconds: int64(c.IdleTTL / time.Second),
		MaxTTLSeconds: int64(c.MaxTTL / time.Second), CORSOrigins: orEmpty(c.CORSOrigins),
		Audiences: orEmpty(c.Audiences), RedirectURIs: orEmpty(c.RedirectURIs),
		PostLogoutRedirectURIs: orEmpty(c.PostLogoutRedirectURIs), Type: c.Type, FirstParty: c.FirstParty,
		GrantTypes: orEmpty(c.GrantTypes), Scopes: orEmpty(c.Scopes), LogoutEndsSessions: c.LogoutEndsSessions,
		SecretCreatedAt: c.SecretCreatedAt, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
		RequireMFA: c.RequireMFA,
	}
}

// NewAdminClientWithSecret returns the admin view of c showing secret, its
// new secret, once ("" shows none: a public client).
func NewAdminClientWithSecret(c *store.Client, secret string) AdminClient {
	v := NewAdminClient(c)
	v.ClientSecret = secret
	return v
}

// AdminAuditEvent is one audit event. ActorID is null for actions of the
// server itself or of an operator at the command line.
type AdminAuditEvent struct {
	ID        int64             `json:"id"`
	Event     string            `json:"event"`
	ActorID   *string           `json:"actor_id"`
	UserID    *string           `json:"user_id"`
	SessionID *string           `json:"session_id"`
	IP        string            `json:"ip"`
	UserAgent string            `json:"user_agent"`
	Details   map[string]string `json:"details"`
	CreatedAt time.Time         `json:"created_at"`
}

// NewAdminAuditEvent returns the admin view of e; Details is never null.
func NewAdminAuditEvent(e *store.AuditEvent) AdminAuditEvent {
	details := e.Details
	if details == nil {
		details = map[string]string{}
	}
	return AdminAuditEvent{ID: e.ID, Event: e.Event, ActorID: idString(e.ActorID), UserID: idString(e.UserID),
		SessionID: idString(e.SessionID), IP: e.IP, UserAgent: e.UserAgent, Details: details, CreatedAt: e.CreatedAt}
}

func idString(id *uuid.UUID) *string {
	if id == nil {
		return nil
	}
	s := id.String()
	return &s
}

// AdminList is one page of an admin listing: Items under the listing's
// name ("users", "sessions", "clients", "events") and the cursor of the
// next page, null on the last.
type AdminList map[string]any

// NewAdminList returns the JSON of page, each item shown with view.
func NewAdminList[T, V any](name string, page auth.Page[T], view func(*T) V) AdminList {
	items := make([]V, 0, len(page.Items))
	for i := range page.Items {
		items = append(items, view(&page.Items[i]))
	}
	var next *string
	if page.NextCursor != "" {
		next = &page.NextCursor
	}
	return AdminList{name: items, "next_cursor": next}
}

func orEmpty(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}

// nonNil makes an absent list an empty JSON array.
func nonNil(list []string) []string {
	if list == nil {
		return []string{}
	}
	return list
}
