package config

import (
	"net"
	"net/url"
	"regexp"
	"strings"
)

// WebAuthn returns the passkeys' relying party: the configured id and
// origins, or, when unset, the issuer's host and the issuer's origin. An
// issuer on an IP address gives no id (WebAuthn needs a domain): passkeys
// are then off unless TESSERA_WEBAUTHN_RP_ID names one.
func (c *Config) WebAuthn() (rpID string, origins []string) {
	iss, err := url.Parse(c.Issuer)
	if err != nil || iss.Host == "" {
		return c.WebAuthnRPID, append([]string(nil), c.WebAuthnOrigins...)
	}
	rpID = c.WebAuthnRPID
	if rpID == "" && net.ParseIP(iss.Hostname()) == nil {
		rpID = strings.ToLower(iss.Hostname())
	}
	for _, o := range c.WebAuthnOrigins {
		origins = append(origins, strings.TrimSuffix(o, "/"))
	}
	if len(origins) == 0 && rpID != "" {
		origins = []string{iss.Scheme + "://" + iss.Host}
	}
	return rpID, origins
}

// rpIDPattern is a lower-case domain name: dot-separated labels of
// letters, digits and inner hyphens.
var rpIDPattern = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

// validateWebAuthn checks the relying party: a domain id, and origins
// that are that domain or its subdomains, over https (http only for
// localhost, as browsers allow), each bad value reported on its own.
func (c *Config) validateWebAuthn(bad func(flag string, value any, allowed string)) {
	if c.WebAuthnRPID != "" && (!rpIDPattern.MatchString(c.WebAuthnRPID) || net.ParseIP(c.WebAuthnRPID) != nil) {
		bad("webauthn-rp-id", c.WebAuthnRPID, "want a lower-case domain such as example.com, without scheme or port")
		return
	}
	rpID, origins := c.WebAuthn()
	if rpID == "" {
		if len(c.WebAuthnOrigins) > 0 {
			bad("webauthn-origins", strings.Join(c.WebAuthnOrigins, ","), "needs TESSERA_WEBAUTHN_RP_ID when the issuer is an IP address")
		}
		return
	}
	for _, o := range origins {
		u, err := url.Parse(o)
		if err != nil || !isOrigin(o) {
			bad("webauthn-origins", o, "want scheme://host[:port] with no path")
			continue
		}
		host := strings.ToLower(u.Hostname())
		if host != rpID && !strings.HasSuffix(host, "."+rpID) {
			bad("webauthn-origins", o, "want an origin on "+rpID+" or one of its subdomains (TESSERA_WEBAUTHN_RP_ID)")
			continue
		}
		if u.Scheme != "https" && host != "localhost" && !strings.HasSuffix(host, ".localhost") {
			bad("webauthn-origins", o, "want https (http only on localhost)")
		}
	}
}
