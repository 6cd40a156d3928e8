package auth

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/store"
)

// MaxClientTTL bounds a client's session lifetimes (its access-token
// lifetime is bounded by MaxAccessTTL).
const MaxClientTTL = 10 * 365 * 24 * time.Hour

var clientIDPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)

// allDeliveries is what a new client allows unless told otherwise.
var allDeliveries = []string{DeliveryBody, DeliveryCookie, DeliverySession, DeliveryToken}

// ClientInput creates or changes a client. On update nil fields stay as
// they are; an empty, non-nil list clears CORSOrigins, Audiences or a
// redirect URI list. TTLs of zero mean the server's default. Type is set
// on create only (public when nil): a client that changes type changes
// what it must prove, so it is registered anew.
type ClientInput struct {
	ID                     string
	Name                   *string
	AllowedDelivery        []string // create: nil allows all four modes
	AccessTTL              *time.Duration
	IdleTTL                *time.Duration
	MaxTTL                 *time.Duration
	CORSOrigins            []string
	Audiences              []string
	RedirectURIs           []string
	PostLogoutRedirectURIs []string
	Type                   *string
	FirstParty             *bool
	GrantTypes             []string // create: nil allows authorization_code and refresh_token
	Scopes                 []string // create: nil allows all four scopes
	LogoutEndsSessions     *bool
	// RequireMFA: see store.Client.RequireMFA.
	RequireMFA *bool
}

// AdminListClients returns a page of clients ordered by client_id.
func (s *Service) AdminListClients(ctx context.Context, in PageInput) (Page[store.Client], error) {
	limit, err := in.limit()
	if err != nil {
		return Page[store.Client]{}, err
	}
	after := ""
	if in.Cursor != "" {
		if after, err = decodePageCursor("c", in.Cursor); err != nil {
			return Page[store.Client]{}, err
		}
		if !store.IsText(after) {
			return Page[store.Client]{}, errBadCursor // no client id is such text
		}
	}
	rows, err := s.store.ListClients(ctx, after, limit+1)
	if err != nil {
		return Page[store.Client]{}, fmt.Errorf("list clients: %w", err)
	}
	return newPage(rows, limit, "c", func(c store.Client) string { return c.ID }), nil
}

// AdminGetClient returns the client with id, or not_found.
func (s *Service) AdminGetClient(ctx context.Context, id string) (*store.Client, error) {
	c, err := s.store.GetClient(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, Errorf(CodeNotFound, "no such client")
	}
	if err != nil {
		return nil, fmt.Errorf("get client: %w", err)
	}
	return c, nil
}

// AdminCreateClient registers a front-end application. A taken client_id
// is a conflict. A confidential client gets a secret, returned here once
// and stored only as its hash; a public client's secret is "".
func (s *Service) AdminCreateClient(ctx context.Context, a Actor, in ClientInput) (*store.Client, string, error) {
	now := s.now().UTC()
	c := &store.Client{ID: in.ID, AllowedDelivery: slices.Clone(allDeliveries), Type: store.ClientPublic,
		GrantTypes: slices.Clone(defaultGrants), Scopes: slices.Clone(allScopes), CreatedAt: now, UpdatedAt: now}
	fe := fieldErrors{}
	if !clientIDPattern.MatchString(in.ID) {
		fe.add("client_id", "must be 1-64 characters of a-z, 0-9, '.', '_' and '-', starting with a letter or digit")
	}
	if in.Name == nil {
		fe.add("name", "this field is required")
	}
	if in.Type != nil {
		c.Type = *in.Type
		if !slices.Contains(clientTypes, c.Type) {
			fe.add("type", fmt.Sprintf("%q is not one of public, confidential", quoteable(c.Type)))
		}
	}
	applyClient(c, in, fe)
	if err := fe.err(); err != nil {
		return nil, "", err
	}
	var secret string
	if c.Type == store.ClientConfidential {
		var err error
		if secret, c.SecretHash, err = newClientSecret(); err != nil {
			return nil, "", err
		}
		c.SecretCreatedAt = &now
	}
	defer s.forgetClient(c.ID)
	if err := s.store.CreateClient(ctx, c); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return nil, "", &Error{Code: CodeConflict, Message: "a client with this client_id exists",
				Fields: map[string][]string{"client_id": {"is taken"}}}
		}
		return nil, "", fmt.Errorf("create client: %w", err)
	}
	s.auditAs(ctx, "admin_client_created", a, uuid.Nil, uuid.Nil, map[string]string{"client_id": c.ID})
	return c, secret, nil
}

// AdminUpdateClient changes the client in.ID. New TTLs apply to sessions
// from their next login, refresh or use; new origins to CORS at once on
// this replica and within a few seconds on the others.
func (s *Service) AdminUpdateClient(ctx context.Context, a Actor, in ClientInput) (*store.Client, error) {
	c, err := s.AdminGetClient(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	fe := fieldErrors{}
	if in.Type != nil && *in.Type != c.Type {
		fe.add("type", "cannot be changed: register a new client")
	}
	applyClient(c, in, fe)
	if err := fe.err(); err != nil {
		return nil, err
	}
	c.UpdatedAt = s.now().UTC()
	defer s.forgetClient(c.ID)
	if err := s.store.UpdateClient(ctx, c); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, Errorf(CodeNotFound, "no such client")
		}
		return nil, fmt.Errorf("update client: %w", err)
	}
	s.auditAs(ctx, "admin_client_updated", a, uuid.Nil, uuid.Nil, map[string]string{"client_id": c.ID})
	return c, nil
}

// AdminDeleteClient removes a client and every session it issued: its
// devices are logged out at once, and the sessions stay in the revocation
// feed (as tombstones) until their access tokens expire. The default
// client cannot be removed.
func (s *Service) AdminDeleteClient(ctx context.Context, a Actor, id string) error {
	if id == store.DefaultClientID {
		return Errorf(CodeConflict, "the default client cannot be deleted")
	}
	defer s.forgetClient(id)
	n, err := s.store.DeleteClient(ctx, id, s.now().UTC())
	if errors.Is(err, store.ErrNotFound) {
		return Errorf(CodeNotFound, "no such client")
	}
	if err != nil {
		return fmt.Errorf("delete client: %w", err)
	}
	s.auditAs(ctx, "admin_client_deleted", a, uuid.Nil, uuid.Nil,
		map[string]string{"client_id": id, "sessions_ended": fmt.Sprint(n)})
	return nil
}

// ClientOrigins returns every CORS origin some client lists.
func (s *Service) ClientOrigins(ctx context.Context) ([]string, error) {
	var out []string
	after := ""
	for {
		page, err := s.store.ListClients(ctx, after, MaxPageSize)
		if err != nil {
			return nil, fmt.Errorf("client origins: %w", err)
		}
		for _, c := range page {
			out = append(out, c.CORSOrigins...)
		}
		if len(page) < MaxPageSize {
			return out, nil
		}
		after = page[len(page)-1].ID
	}
}

// applyClient copies the set fields of in to c, reporting invalid ones in
// fe.
func applyClient(c *store.Client, in ClientInput, fe fieldErrors) {
	if in.Name != nil {
		c.Name = strings.TrimSpace(*in.Name)
		switch {
		case c.Name == "" || len(c.Name) > 200:
			fe.add("name", "must be 1-200 bytes")
		case !utf8.ValidString(c.Name) || strings.IndexFunc(c.Name, unicode.IsControl) >= 0:
			// Pages show it ("to continue to <name>"); Postgres takes no NUL.
			fe.add("name", "must be text without control characters")
		}
	}
	if in.AllowedDelivery != nil {
		c.AllowedDelivery = dedupe(in.AllowedDelivery)
		if len(c.AllowedDelivery) == 0 {
			fe.add("allowed_delivery", "must list at least one of body, cookie, session, token")
		}
		for _, d := range c.AllowedDelivery {
			if !slices.Contains(allDeliveries, d) {
				fe.add("allowed_delivery", fmt.Sprintf("%q is not one of body, cookie, session, token", d))
			}
		}
	}
	setTTL(&c.AccessTTL, in.AccessTTL, MaxAccessTTL, "access_ttl_seconds", fe)
	setTTL(&c.IdleTTL, in.IdleTTL, MaxClientTTL, "idle_ttl_seconds", fe)
	setTTL(&c.MaxTTL, in.MaxTTL, MaxClientTTL, "max_ttl_seconds", fe)
	if c.IdleTTL > 0 && c.MaxTTL > 0 && c.IdleTTL > c.MaxTTL {
		fe.add("idle_ttl_seconds", "must not exceed max_ttl_seconds")
	}
	if in.CORSOrigins != nil {
		c.CORSOrigins = nil
		for _, o := range dedupe(in.CORSOrigins) {
			o = strings.ToLower(strings.TrimSuffix(o, "/"))
			if !isOrigin(o) {
				fe.add("cors_origins", fmt.Sprintf("%q is not scheme://host[:port] (no path, no *)", o))
			}
			c.CORSOrigins = append(c.CORSOrigins, o)
		}
	}
	if in.Audiences != nil {
		c.Audiences = dedupe(in.Audiences)
		if slices.Contains(c.Audiences, "") {
			fe.add("audiences", "must not contain an empty audience")
		}
	}
	applyClientOAuth(c, in, fe)
}

func setTTL(dst *time.Duration, v *time.Duration, most time.Duration, field string, fe fieldErrors) {
	if v == nil {
		return
	}
	if *v < 0 || *v > most {
		fe.add(field, fmt.Sprintf("must be between 0 (the server default) and %d", int64(most/time.Second)))
		return
	}
	*dst = v.Truncate(time.Second)
}

// isOrigin reports whether s is an origin: http(s), a host, no path,
// query, fragment or credentials. It is config's rule for
// TESSERA_CORS_ORIGINS, which config does not export.
func isOrigin(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" &&
		!strings.Contains(u.Host, "*") && u.Path == "" && u.RawQuery == "" && u.Fragment == "" &&
		u.User == nil && !u.ForceQuery
}

// dedupe returns list without repeats, in first-seen order, trimmed.
func dedupe(list []string) []string {
	out := []string{}
	for _, v := range list {
		v = strings.TrimSpace(v)
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}
