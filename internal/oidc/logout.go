package oidc

import (
	"net/url"
)

// LogoutRequest holds the parameters of an RP-initiated logout request
// (OpenID Connect RP-Initiated Logout 1.0 s2). The caller verifies
// IDTokenHint (signature and issuer; an expired hint is still a hint,
// s4) and finds the client from its aud or from ClientID.
type LogoutRequest struct {
	IDTokenHint           string
	ClientID              string
	PostLogoutRedirectURI string
	State                 string
}

var logoutParams = []string{"id_token_hint", "client_id", "post_logout_redirect_uri", "state", "logout_hint", "ui_locales"}

// ParseLogoutRequest reads a logout request from a query or form. A
// repeated parameter is refused (RFC 6749 s3.1 applied to this endpoint),
// so is a post_logout_redirect_uri with neither id_token_hint nor
// client_id: without a client there is nothing to match it against (s2),
// and a state that is not 1*VSCHAR. Every error is a *PageError: logout
// never redirects to an unchecked URI.
func ParseLogoutRequest(q url.Values) (*LogoutRequest, error) {
	for _, p := range logoutParams {
		if len(q[p]) > 1 {
			return nil, pageErr(ErrInvalidRequest, p+" is repeated")
		}
	}
	r := &LogoutRequest{
		IDTokenHint:           q.Get("id_token_hint"),
		ClientID:              q.Get("client_id"),
		PostLogoutRedirectURI: q.Get("post_logout_redirect_uri"),
		State:                 q.Get("state"),
	}
	switch {
	case r.PostLogoutRedirectURI != "" && r.IDTokenHint == "" && r.ClientID == "":
		return nil, pageErr(ErrInvalidRequest, "post_logout_redirect_uri needs id_token_hint or client_id")
	case !validState(r.State):
		return nil, pageErr(ErrInvalidRequest, "state must be at most 2048 visible ASCII characters")
	}
	return r, nil
}

// Redirect returns where to send the browser after logging out for client
// c, the client of the verified hint or of ClientID: "" when the request
// named no post_logout_redirect_uri, else that URI with state added to its
// query. The URI must be one of c's registered post-logout URIs, compared
// like redirect URIs (MatchRedirectURI), and a client_id must be c's (the
// hint's aud, s2); anything else is a *PageError.
func (r *LogoutRequest) Redirect(c *Client) (string, error) {
	switch {
	case c == nil:
		return "", pageErr(ErrInvalidClient, "the client is unknown")
	case r.ClientID != "" && r.ClientID != c.ID:
		return "", pageErr(ErrInvalidRequest, "client_id does not match the ID token hint")
	case r.PostLogoutRedirectURI == "":
		return "", nil
	case !MatchRedirectURI(c.PostLogoutRedirectURIs, r.PostLogoutRedirectURI):
		return "", pageErr(ErrInvalidRequest, "post_logout_redirect_uri is not registered for this client")
	}
	q := url.Values{}
	if r.State != "" {
		q.Set("state", r.State)
	}
	if len(q) == 0 {
		return r.PostLogoutRedirectURI, nil
	}
	uri, err := addQuery(r.PostLogoutRedirectURI, q)
	if err != nil {
		return "", pageErr(ErrInvalidRequest, "post_logout_redirect_uri cannot carry state: "+err.Error())
	}
	return uri, nil
}
