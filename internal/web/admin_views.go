package web

import (
	"time"

	"github.com/tessera-id/tessera/internal/auth"
	"github.com/tessera-id/tessera/internal/keys"
	"github.com/tessera-id/tessera/internal/store"
)

// FilterGroup is one row of a table's filter links ("Status: All, Active,
// Disabled"); the Current link is the filter applied.
type FilterGroup struct {
	Label string
	Links []FilterLink
}

// FilterLink is one filter of a FilterGroup.
type FilterLink struct {
	Text, Href string
	Current    bool
}

// AdminOverviewView is the console's first page.
type AdminOverviewView struct {
	Page
	*auth.Overview
	// Hashes counts password hashes by scheme: imported ones still wait
	// for their owner's next sign-in to become argon2id.
	Hashes *auth.HashStats
	// Unusable counts accounts that must reset their password (an
	// unusable or unknown hash).
	Unusable int64
}

// AdminUsersView is the users table: the search box, filters, one page of
// users and the link to the next page ("" on the last).
type AdminUsersView struct {
	Page
	Done     string
	Query    string
	Filters  []FilterGroup
	Users    []store.User
	NextHref string
}

// AdminUserView is one user's page: profile and actions, devices, classic
// token and audit events, each list with its own next-page link.
type AdminUserView struct {
	Page
	User         *store.User
	Done         string
	Sessions     []store.Session
	SessionsNext string
	Token        *auth.ClassicTokenStatus
	Events       []store.AuditEvent
	EventsNext   string
	// Flags are the switches offered: verify, (de)activate, promote or
	// demote; none of the last two on the admin's own page.
	Flags []FlagAction
	// Self is true on the admin's own page, where demoting, deactivating
	// and deleting are not offered.
	Self bool
	// HasMFA is true when the user has second factors an admin can reset
	// (an authenticator app, recovery codes).
	HasMFA bool
}

// FlagAction is one button that switches a flag of the user: its form
// posts Field and Value with the page's CSRF token.
type FlagAction struct {
	User, CSRF, Field, Value, Text string
}

// AdminClientsView lists the clients.
type AdminClientsView struct {
	Page
	Done     string
	Clients  []store.Client
	NextHref string
}

// ClientForm is what the client form shows and posts back: lists one per
// line, lifetimes in seconds (0: the server's default).
type ClientForm struct {
	ID, Name, Type               string
	RedirectURIs, PostLogoutURIs string
	Origins, Audiences           string
	Delivery                     map[string]bool
	AccessTTL, IdleTTL, MaxTTL   string
	FirstParty                   bool
}

// AdminClientView creates (New) or edits a client. Secret is set once,
// on the answer that made it.
type AdminClientView struct {
	Page
	New        bool
	Done       string
	Form       ClientForm
	Deliveries []string
	Client     *store.Client
	Secret     string
	// Texts, Areas and TTLs are the form's fields, filled by fields.
	Texts, Areas, TTLs []FormField
}

// FormField is one labelled input of a form with its value, hint and
// error.
type FormField struct {
	Name, Label, Value, Hint, Error string
	Number                          bool
}

// AdminAuditView is the audit log with its filters.
type AdminAuditView struct {
	Page
	Event, User, Since, Until string
	Events                    []store.AuditEvent
	NextHref, ExportHref      string
}

// AdminKeysView lists the signing keys.
type AdminKeysView struct {
	Page
	Done string
	Keys []keys.KeyInfo
	Now  time.Time
}
