package oidc

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"
)

// Client authentication methods at the token endpoint (RFC 7591 s2).
const (
	AuthNone              = "none"                // a public client: client_id only
	AuthClientSecretBasic = "client_secret_basic" // HTTP Basic (RFC 6749 s2.3.1)
	AuthClientSecretPost  = "client_secret_post"  // client_secret in the body
)

// maxBasicLen bounds the Basic credential read, before any decoding.
const maxBasicLen = 1024

// ClientCredentials are a token request's client identification: ID and,
// for the two secret methods, Secret.
type ClientCredentials struct {
	ID     string
	Secret string
	Method string // AuthNone, AuthClientSecretBasic or AuthClientSecretPost
}

// ParseClientAuth reads how a token request identifies its client (RFC
// 6749 s2.3.1, s3.2.1) from its headers and form body, without checking
// any secret:
//   - Authorization: Basic carries client_id:client_secret, each
//     form-urlencoded before the Basic encoding (s2.3.1): they are decoded.
//   - Otherwise client_id and client_secret in the body
//     (client_secret_post), or client_id alone (none, a public client).
//
// Using two methods (Basic and client_secret in the body), a Basic client
// id differing from the body's client_id, a repeated parameter or a second
// Authorization header is invalid_request (s2.3, s3.1); a malformed
// Basic credential, another Authorization scheme, an empty secret or no
// client at all is invalid_client (s5.2). Errors are *PageError values:
// the token endpoint answers them as JSON.
func ParseClientAuth(h http.Header, form url.Values) (*ClientCredentials, error) {
	bodyID, ok1 := single(form, "client_id")
	bodySecret, ok2 := single(form, "client_secret")
	authz := h.Values("Authorization")
	switch {
	case !ok1 || !ok2:
		return nil, pageErr(ErrInvalidRequest, "client_id or client_secret is repeated")
	case len(authz) > 1:
		return nil, pageErr(ErrInvalidRequest, "the Authorization header is repeated")
	case len(authz) == 1:
		id, secret, err := parseClientBasic(authz[0])
		switch {
		case err != nil:
			return nil, err
		case form.Has("client_secret"):
			return nil, pageErr(ErrInvalidRequest, "the client authenticates with Basic and client_secret at once")
		case form.Has("client_id") && bodyID != id:
			return nil, pageErr(ErrInvalidRequest, "client_id differs from the Basic credentials")
		}
		return &ClientCredentials{ID: id, Secret: secret, Method: AuthClientSecretBasic}, nil
	case bodyID == "":
		return nil, pageErr(ErrInvalidClient, "client authentication or client_id is required")
	case form.Has("client_secret") && bodySecret == "":
		return nil, pageErr(ErrInvalidClient, "client_secret is empty")
	case form.Has("client_secret"):
		return &ClientCredentials{ID: bodyID, Secret: bodySecret, Method: AuthClientSecretPost}, nil
	default:
		return &ClientCredentials{ID: bodyID, Method: AuthNone}, nil
	}
}

// parseClientBasic decodes "Basic base64(urlenc(id):urlenc(secret))". The
// scheme is case-insensitive (RFC 9110 s11.1); both parts must be
// non-empty UTF-8 after decoding.
func parseClientBasic(header string) (id, secret string, err error) {
	fail := pageErr(ErrInvalidClient, "malformed Basic client credentials")
	scheme, cred, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Basic") {
		return "", "", pageErr(ErrInvalidClient, "only the Basic scheme authenticates a client")
	}
	if len(cred) > maxBasicLen {
		return "", "", fail
	}
	raw, derr := base64.StdEncoding.Strict().DecodeString(cred)
	if derr != nil {
		return "", "", fail
	}
	rawID, rawSecret, ok := strings.Cut(string(raw), ":")
	if !ok {
		return "", "", fail
	}
	id, err1 := url.QueryUnescape(rawID)
	secret, err2 := url.QueryUnescape(rawSecret)
	switch {
	case err1 != nil || err2 != nil || !utf8.ValidString(id) || !utf8.ValidString(secret) || id == "":
		return "", "", fail
	case secret == "":
		return "", "", pageErr(ErrInvalidClient, "client_secret is empty")
	}
	return id, secret, nil
}

// HashClientSecret is the stored form of a client secret: SHA-256. A
// secret is at least 128 random bits, so a fast hash is enough; a slow
// password hash would only slow the token endpoint.
func HashClientSecret(secret string) []byte {
	sum := sha256.Sum256([]byte(secret))
	return sum[:]
}

// CheckClientSecret reports whether secret hashes to storedHash, comparing
// in constant time.
func CheckClientSecret(secret string, storedHash []byte) bool {
	return subtle.ConstantTimeCompare(HashClientSecret(secret), storedHash) == 1
}
