package oidc_test

import (
	"encoding/json"
	"testing"

	"github.com/tessera-id/tessera/internal/oidc"
)

// TestProviderMetadata: the metadata the code flow adds says exactly what
// the rules of this package accept.
func TestProviderMetadata(t *testing.T) {
	m := oidc.ProviderMetadata(iss+"/", []string{"ES256"})
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"authorization_endpoint":                         `"https://id.example.com/oauth/authorize"`,
		"userinfo_endpoint":                              `"https://id.example.com/oauth/userinfo"`,
		"end_session_endpoint":                           `"https://id.example.com/oauth/logout"`,
		"scopes_supported":                               `["openid","profile","email","offline_access"]`,
		"claims_supported":                               `["iss","sub","aud","exp","iat","auth_time","nonce","sid","amr","at_hash","email","email_verified","given_name","family_name","preferred_username"]`,
		"grant_types_supported":                          `["authorization_code","refresh_token","client_credentials"]`,
		"response_types_supported":                       `["code"]`,
		"response_modes_supported":                       `["query"]`,
		"code_challenge_methods_supported":               `["S256"]`,
		"token_endpoint_auth_methods_supported":          `["none","client_secret_basic","client_secret_post"]`,
		"id_token_signing_alg_values_supported":          `["ES256"]`,
		"subject_types_supported":                        `["public"]`,
		"authorization_response_iss_parameter_supported": `true`,
		"prompt_values_supported":                        `["none","login","consent","create"]`,
		"request_parameter_supported":                    `false`,
		"request_uri_parameter_supported":                `false`,
		"claims_parameter_supported":                     `false`,
	}
	for k, w := range want {
		t.Run(k, func(t *testing.T) {
			v, err := json.Marshal(got[k])
			if err != nil || string(v) != w {
				t.Errorf("%s = %s, want %s", k, v, w)
			}
		})
	}
	if len(got) != len(want) {
		t.Errorf("%d keys, want %d: %v", len(got), len(want), got)
	}
	// The lists are copies: a caller editing one leaves the next call alone.
	m["scopes_supported"].([]string)[0] = "changed"
	if oidc.ProviderMetadata(iss, nil)["scopes_supported"].([]string)[0] != "openid" {
		t.Error("ProviderMetadata shares its lists")
	}
}
