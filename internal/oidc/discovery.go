package oidc

import (
	"slices"
	"strings"
)

// ClaimsSupported are the claims of Tessera's ID tokens and userinfo
// (OpenID Connect Core s2, s5.1).
var ClaimsSupported = []string{
	"iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "sid", "amr", "at_hash",
	"email", "email_verified", "given_name", "family_name", "preferred_username",
}

// PromptValuesSupported are the prompt values Tessera acts on (OpenID
// Connect Prompt Create s4.2 asks for create to be listed).
var PromptValuesSupported = []string{"none", "login", "consent", "create"}

// ProviderMetadata is what the code flow adds to Tessera's OpenID Provider
// metadata (OpenID Connect Discovery 1.0 s3, RFC 8414 s2, RFC 9207 s3):
// the endpoints under issuer, and exactly what the rules of this package
// accept: response type code in the query, PKCE S256, the three client
// authentication methods, the grants, the scopes, the prompt values.
// signingAlgs are the algorithms ID tokens are signed with. Its keys
// replace the discovery document's own when they overlap.
func ProviderMetadata(issuer string, signingAlgs []string) map[string]any {
	base := strings.TrimSuffix(issuer, "/")
	return map[string]any{
		"authorization_endpoint":                         base + "/oauth/authorize",
		"userinfo_endpoint":                              base + "/oauth/userinfo",
		"end_session_endpoint":                           base + "/oauth/logout",
		"scopes_supported":                               slices.Clone(SupportedScopes),
		"claims_supported":                               slices.Clone(ClaimsSupported),
		"grant_types_supported":                          []string{GrantAuthorizationCode, GrantRefreshToken, GrantClientCredentials},
		"response_types_supported":                       []string{"code"},
		"response_modes_supported":                       []string{"query"},
		"code_challenge_methods_supported":               []string{PKCEMethodS256},
		"token_endpoint_auth_methods_supported":          []string{AuthNone, AuthClientSecretBasic, AuthClientSecretPost},
		"id_token_signing_alg_values_supported":          slices.Clone(signingAlgs),
		"subject_types_supported":                        []string{"public"},
		"authorization_response_iss_parameter_supported": true,
		"prompt_values_supported":                        slices.Clone(PromptValuesSupported),
		"request_parameter_supported":                    false,
		"request_uri_parameter_supported":                false,
		"claims_parameter_supported":                     false,
	}
}
