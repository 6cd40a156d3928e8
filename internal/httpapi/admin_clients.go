package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tessera-id/tessera/internal/auth"
	"github.com/tessera-id/tessera/internal/view"
)

// adminClientRequest creates (POST) or changes (PATCH) a client; absent
// members stay as they are on PATCH.
type adminClientRequest struct {
	ClientID               string   `json:"client_id"`
	Name                   *string  `json:"name"`
	AllowedDelivery        []string `json:"allowed_delivery"`
	AccessTTLSeconds       *int64   `json:"access_ttl_seconds"`
	IdleTTLSeconds         *int64   `json:"idle_ttl_seconds"`
	MaxTTLSeconds          *int64   `json:"max_ttl_seconds"`
	CORSOrigins            []string `json:"cors_origins"`
	Audiences              []string `json:"audiences"`
	RedirectURIs           []string `json:"redirect_uris"`
	PostLogoutRedirectURIs []string `json:"post_logout_redirect_uris"`
	Type                   *string  `json:"type"`
	FirstParty             *bool    `json:"first_party"`
	GrantTypes             []string `json:"grant_types"`
	Scopes                 []string `json:"scopes"`
	LogoutEndsSessions     *bool    `json:"logout_ends_sessions"`
	RequireMFA             *bool    `json:"require_mfa"`
}

// input converts the request. Seconds beyond any allowed TTL become a
// duration just past the limit, and seconds below zero -1s, so auth
// reports them with the other fields and nothing overflows (a huge
// negative count would wrap into an allowed lifetime, or into 0).
func (r adminClientRequest) input() auth.ClientInput {
	in := auth.ClientInput{ID: r.ClientID, Name: r.Name, AllowedDelivery: r.AllowedDelivery,
		CORSOrigins: r.CORSOrigins, Audiences: r.Audiences, RedirectURIs: r.RedirectURIs,
		PostLogoutRedirectURIs: r.PostLogoutRedirectURIs, Type: r.Type, FirstParty: r.FirstParty,
		GrantTypes: r.GrantTypes, Scopes: r.Scopes, LogoutEndsSessions: r.LogoutEndsSessions,
		RequireMFA: r.RequireMFA}
	tooLong := int64(auth.MaxClientTTL/time.Second) + 1
	for _, f := range []struct {
		secs *int64
		dst  **time.Duration
	}{{r.AccessTTLSeconds, &in.AccessTTL}, {r.IdleTTLSeconds, &in.IdleTTL}, {r.MaxTTLSeconds, &in.MaxTTL}} {
		if f.secs != nil {
			d := time.Duration(max(min(*f.secs, tooLong), -1)) * time.Second
			*f.dst = &d
		}
	}
	return in
}

func (s *Server) adminListClients(c *gin.Context) {
	in, err := pageInput(c)
	if err != nil {
		s.writeError(c, err)
		return
	}
	page, err := s.auth.AdminListClients(c.Request.Context(), in)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, view.NewAdminList("clients", page, view.NewAdminClient))
}

func (s *Server) adminGetClient(c *gin.Context) {
	id := c.Param("id")
	cl, err := s.auth.AdminGetClient(c.Request.Context(), id)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, view.NewAdminClient(cl))
}

func (s *Server) adminCreateClient(c *gin.Context) {
	var req adminClientRequest
	if err := bind(c, &req); err != nil {
		s.writeError(c, err)
		return
	}
	cl, secret, err := s.auth.AdminCreateClient(c.Request.Context(), adminActor(c), req.input())
	if err != nil {
		s.writeError(c, err)
		return
	}
	s.clientOrigins().reload(c.Request.Context())
	c.JSON(http.StatusCreated, view.NewAdminClientWithSecret(cl, secret))
}

func (s *Server) adminUpdateClient(c *gin.Context) {
	id := c.Param("id")
	var req adminClientRequest
	if err := bind(c, &req); err != nil {
		s.writeError(c, err)
		return
	}
	if req.ClientID != "" && req.ClientID != id {
		s.writeError(c, auth.Invalid(map[string][]string{"client_id": {"cannot be changed"}}))
		return
	}
	req.ClientID = id
	cl, err := s.auth.AdminUpdateClient(c.Request.Context(), adminActor(c), req.input())
	if err != nil {
		s.writeError(c, err)
		return
	}
	s.clientOrigins().reload(c.Request.Context())
	c.JSON(http.StatusOK, view.NewAdminClient(cl))
}

func (s *Server) adminDeleteClient(c *gin.Context) {
	id := c.Param("id")
	if err := s.auth.AdminDeleteClient(c.Request.Context(), adminActor(c), id); err != nil {
		s.writeError(c, err)
		return
	}
	s.clientOrigins().reload(c.Request.Context())
	c.Status(http.StatusNoContent)
}

// adminRotateClientSecret gives a confidential client a new secret and
// shows it once.
func (s *Server) adminRotateClientSecret(c *gin.Context) {
	id := c.Param("id")
	cl, secret, err := s.auth.AdminRotateClientSecret(c.Request.Context(), adminActor(c), id)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, view.NewAdminClientWithSecret(cl, secret))
}
