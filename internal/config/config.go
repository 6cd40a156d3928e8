package config

import (
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/spf13/pflag"
)

// Config is every setting of `tessera serve`. Zero values are never used
// directly: Default fills them and Validate checks them.
type Config struct {
	Addr              string
	Issuer            string
	DatabaseURL       string
	KeysDir           string
	Audience          []string
	SigningAlg        string
	AccessTTL         time.Duration
	SessionIdleTTL    time.Duration
	SessionMaxTTL     time.Duration
	RefreshGrace      time.Duration
	CookieSecure      bool
	CookieDomain      string
	CookieSameSite    string
	CORSOrigins       []string
	Authentication    []string
	EmailVerification string
	EmailBackend      string
	SMTPURL           string
	FrontendURL       string
	PasswordMinLength int
	LogFormat         string
	LogLevel          string
	TrustedProxies    []string
	JWKSMaxAge        time.Duration
	ShutdownTimeout   time.Duration
	DBMaxConns        int
	HashConcurrency   int

	RevocationPollInterval time.Duration
	ResourceServers        []string
	AuditRetention         time.Duration
	EmailVerifyTTL         time.Duration
	PasswordResetTTL       time.Duration
	MailFrom               string
	LoginMaxFailures       int
	LoginFailureWindow     time.Duration

	// BrandName, BrandLogoURL and BrandColor dress the hosted pages.
	BrandName    string
	BrandLogoURL string
	BrandColor   string

	// ReauthMaxAge is how old a browser sign-in may be for a sensitive
	// action on a signed-in page; an older one must sign in again first.
	ReauthMaxAge time.Duration
	// Compat serves another product's routes beside Tessera's own:
	// "" (off) or "dj-rest-auth". CompatPath is where they are mounted
	// (starting and ending with "/"), and CompatToken what their login
	// answers: "token" (a classic key) or "jwt".
	Compat      string
	CompatPath  string
	CompatToken string
	// WebAuthnRPID and WebAuthnOrigins are the passkeys' relying party;
	// empty means derived from the issuer (see WebAuthn).
	WebAuthnRPID    string
	WebAuthnOrigins []string
	// AdminMFA is "required" (admins must enrol and prove a second factor
	// before the admin API answers them) or "optional".
	AdminMFA string
}

// Default returns the configuration `make run` uses: SQLite in ./data, keys
// in ./keys, listening on loopback.
func Default() Config {
	return Config{
		Addr:              "127.0.0.1:8080",
		Issuer:            "http://127.0.0.1:8080",
		DatabaseURL:       "sqlite:data/tessera.db",
		KeysDir:           "keys",
		SigningAlg:        "ES256",
		AccessTTL:         15 * time.Minute,
		SessionIdleTTL:    720 * time.Hour,
		SessionMaxTTL:     2160 * time.Hour,
		RefreshGrace:      10 * time.Second,
		CookieSecure:      true,
		CookieSameSite:    "lax",
		Authentication:    []string{"bearer", "token", "session", "basic"},
		EmailVerification: "optional",
		EmailBackend:      "console",
		FrontendURL:       "http://127.0.0.1:3000",
		PasswordMinLength: 12,
		LogFormat:         "text",
		LogLevel:          "info",
		JWKSMaxAge:        5 * time.Minute,
		ShutdownTimeout:   20 * time.Second,
		DBMaxConns:        16,

		RevocationPollInterval: 30 * time.Second,
		AuditRetention:         2160 * time.Hour,
		EmailVerifyTTL:         72 * time.Hour,
		PasswordResetTTL:       time.Hour,
		MailFrom:               "Tessera <no-reply@localhost>",
		LoginMaxFailures:       10,
		LoginFailureWindow:     15 * time.Minute,
		BrandName:              "Tessera",
		BrandColor:             "#2f5fd0",
		ReauthMaxAge:           5 * time.Minute,
		CompatPath:             "/dj-rest-auth/",
		CompatToken:            "token",
		AdminMFA:               "optional",
	}
}

// Audiences returns the configured audiences, or the issuer when none is set.
func (c *Config) Audiences() []string {
	if len(c.Audience) == 0 {
		return []string{c.Issuer}
	}
	return c.Audience
}

// Flags registers on into a flag for each setting named (every setting
// when none is), bound to c, with c's current values as defaults, so that
// a command's --help shows the settings it uses and no others. Settings
// without a flag still come from the environment (ApplyEnv). Each flag's
// environment variable is TESSERA_ followed by the flag name upper-cased
// with '-' as '_'. An unknown name is a programming error and panics.
func (c *Config) Flags(into *pflag.FlagSet, names ...string) {
	fs := pflag.NewFlagSet("config", pflag.ContinueOnError)
	defer func() {
		for _, n := range names {
			if fs.Lookup(n) == nil {
				panic("config: no setting named " + n)
			}
		}
		// Mark the settings so ApplyEnv can tell them from a command's
		// own flags.
		fs.VisitAll(func(f *pflag.Flag) {
			f.Annotations = map[string][]string{configAnnotation: {"true"}}
			if len(names) == 0 || slices.Contains(names, f.Name) {
				into.AddFlag(f)
			}
		})
	}()
	fs.StringVar(&c.Addr, "addr", c.Addr, "listen address")
	fs.StringVar(&c.Issuer, "issuer", c.Issuer, "issuer URL: the iss of every token and the base of discovery")
	fs.StringVar(&c.DatabaseURL, "database-url", c.DatabaseURL, "sqlite:path.db, sqlite:///abs/path.db or postgres://...")
	fs.StringVar(&c.KeysDir, "keys-dir", c.KeysDir, "folder of signing keys and the refresh secret")
	fs.StringSliceVar(&c.Audience, "audience", c.Audience, "audiences put in access tokens (default: the issuer)")
	fs.StringVar(&c.SigningAlg, "signing-alg", c.SigningAlg, "ES256, EdDSA or RS256")
	fs.DurationVar(&c.AccessTTL, "access-ttl", c.AccessTTL, "access token lifetime")
	fs.DurationVar(&c.SessionIdleTTL, "session-idle-ttl", c.SessionIdleTTL, "session ends after this long unused")
	fs.DurationVar(&c.SessionMaxTTL, "session-max-ttl", c.SessionMaxTTL, "session ends this long after login, whatever its use")
	fs.DurationVar(&c.RefreshGrace, "refresh-grace", c.RefreshGrace, "how long the previous refresh token still answers with the current pair")
	fs.BoolVar(&c.CookieSecure, "cookie-secure", c.CookieSecure, "Secure cookies with __Host-/__Secure- names (false only for plain-http development)")
	fs.StringVar(&c.CookieDomain, "cookie-domain", c.CookieDomain, "Domain attribute for cookies shared by sibling subdomains")
	fs.StringVar(&c.CookieSameSite, "cookie-samesite", c.CookieSameSite, "lax, strict or none")
	fs.StringSliceVar(&c.CORSOrigins, "cors-origins", c.CORSOrigins, "origins allowed to call with credentials")
	fs.StringSliceVar(&c.Authentication, "authentication", c.Authentication, "authenticators in order: bearer, token, session, basic")
	fs.StringVar(&c.EmailVerification, "email-verification", c.EmailVerification, "optional, mandatory or none")
	fs.StringVar(&c.EmailBackend, "email-backend", c.EmailBackend, "console or smtp")
	fs.StringVar(&c.SMTPURL, "smtp-url", c.SMTPURL, "smtp://user:pass@host:port for the smtp backend")
	fs.StringVar(&c.FrontendURL, "frontend-url", c.FrontendURL, "base URL of links in e-mails")
	fs.IntVar(&c.PasswordMinLength, "password-min-length", c.PasswordMinLength, "minimum password length (at least 8)")
	fs.StringVar(&c.LogFormat, "log-format", c.LogFormat, "text or json")
	fs.StringVar(&c.LogLevel, "log-level", c.LogLevel, "debug, info, warn or error")
	fs.StringSliceVar(&c.TrustedProxies, "trusted-proxies", c.TrustedProxies, "proxy IPs or CIDRs whose X-Forwarded-For is believed")
	fs.DurationVar(&c.JWKSMaxAge, "jwks-max-age", c.JWKSMaxAge, "Cache-Control max-age of the JWKS")
	fs.DurationVar(&c.ShutdownTimeout, "shutdown-timeout", c.ShutdownTimeout, "how long SIGTERM waits for in-flight requests")
	fs.IntVar(&c.DBMaxConns, "db-max-conns", c.DBMaxConns, "database connections kept open (idle = open)")
	fs.IntVar(&c.HashConcurrency, "hash-concurrency", c.HashConcurrency, "password hashes at once (0: one per core)")
	fs.DurationVar(&c.RevocationPollInterval, "revocation-poll-interval", c.RevocationPollInterval, "how often verifiers are told to poll /v1/revocations")
	fs.StringSliceVar(&c.ResourceServers, "resource-servers", c.ResourceServers, "id:secret pairs allowed to call /oauth/introspect")
	fs.DurationVar(&c.AuditRetention, "audit-retention", c.AuditRetention, "audit events older than this are pruned")
	fs.DurationVar(&c.EmailVerifyTTL, "email-verify-ttl", c.EmailVerifyTTL, "lifetime of e-mail verification keys")
	fs.DurationVar(&c.PasswordResetTTL, "password-reset-ttl", c.PasswordResetTTL, "lifetime of password reset tokens")
	fs.StringVar(&c.MailFrom, "mail-from", c.MailFrom, "From address of Tessera's e-mails")
	fs.IntVar(&c.LoginMaxFailures, "login-max-failures", c.LoginMaxFailures, "failed logins per account or IP in the window before 429")
	fs.DurationVar(&c.LoginFailureWindow, "login-failure-window", c.LoginFailureWindow, "window in which failed logins are counted")
	fs.StringVar(&c.BrandName, "brand-name", c.BrandName, "product name on the hosted pages")
	fs.StringVar(&c.BrandLogoURL, "brand-logo-url", c.BrandLogoURL, "https URL of the logo on the hosted pages (empty: the name only)")
	fs.StringVar(&c.BrandColor, "brand-color", c.BrandColor, "accent colour of the hosted pages' buttons and links, #rgb or #rrggbb")
	fs.DurationVar(&c.ReauthMaxAge, "reauth-max-age", c.ReauthMaxAge, "how old a browser sign-in may be for a sensitive action (revoke, rotate, delete) before the password is asked again")
	fs.StringVar(&c.Compat, "compat", c.Compat, "serve another product's routes too: dj-rest-auth (default: none)")
	fs.StringVar(&c.CompatPath, "compat-path", c.CompatPath, "where the compatible routes are mounted, e.g. /dj-rest-auth/")
	fs.StringVar(&c.CompatToken, "compat-token", c.CompatToken, "what the compatible login answers: token (a classic key) or jwt")
	fs.StringVar(&c.WebAuthnRPID, "webauthn-rp-id", c.WebAuthnRPID, "passkeys' relying party id, a domain (empty: the issuer's host)")
	fs.StringSliceVar(&c.WebAuthnOrigins, "webauthn-origins", c.WebAuthnOrigins, "origins whose passkey ceremonies are accepted (empty: the issuer's origin)")
	fs.StringVar(&c.AdminMFA, "admin-mfa", c.AdminMFA, "required (admins must use a second factor for the admin API) or optional")
}

const configAnnotation = "tessera-config"

// EnvName returns the environment variable of a flag.
func EnvName(flag string) string {
	return "TESSERA_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// ApplyEnv sets every setting of c from its environment variable, unless
// the command line (cmdline, already parsed) set it: every command reads
// settings the same way, defaults, then environment, then flags, whether
// or not it shows the setting as a flag. A command's own flags are never
// read from the environment. It reports every bad value at once, secrets
// redacted.
func (c *Config) ApplyEnv(cmdline *pflag.FlagSet, lookup func(string) (string, bool)) error {
	settings := pflag.NewFlagSet("env", pflag.ContinueOnError)
	c.Flags(settings)
	var errs []error
	settings.VisitAll(func(f *pflag.Flag) {
		if g := cmdline.Lookup(f.Name); g != nil && g.Changed && g.Annotations[configAnnotation] != nil {
			return
		}
		name := EnvName(f.Name)
		v, ok := lookup(name)
		if !ok {
			return
		}
		if sv, isSlice := f.Value.(pflag.SliceValue); isSlice {
			// An empty variable means an empty list, not one empty item.
			if err := sv.Replace(splitList(v)); err != nil {
				errs = append(errs, fmt.Errorf("%s=%q: %v", name, shown(f.Name, v), err))
			}
			return
		}
		if err := f.Value.Set(v); err != nil {
			errs = append(errs, fmt.Errorf("%s=%q: want %s", name, shown(f.Name, v), describe(f)))
		}
	})
	return errors.Join(errs...)
}

func splitList(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func describe(f *pflag.Flag) string {
	switch f.Value.Type() {
	case "duration":
		return "a duration such as 15m or 720h"
	case "bool":
		return "true or false"
	case "int":
		return "an integer"
	}
	return f.Value.Type()
}

// Validate reports every invalid setting at once, each naming its variable,
// the value and what is allowed.
func (c *Config) Validate() error {
	var errs []error
	bad := func(flag string, value any, allowed string) {
		errs = append(errs, fmt.Errorf("%s=%v: %s", EnvName(flag), value, allowed))
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		bad("addr", c.Addr, "want host:port")
	}
	if !isHTTPURL(c.Issuer) {
		bad("issuer", c.Issuer, "want an absolute http(s) URL without query or fragment")
	}
	if !strings.HasPrefix(c.DatabaseURL, "sqlite:") && !strings.HasPrefix(c.DatabaseURL, "postgres://") &&
		!strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		bad("database-url", RedactURL(c.DatabaseURL), "want sqlite:path.db, sqlite:///abs/path.db or postgres://...")
	}
	if c.KeysDir == "" {
		bad("keys-dir", `""`, "want a folder path")
	}
	oneOf(&errs, "signing-alg", c.SigningAlg, "ES256", "EdDSA", "RS256")
	positive(&errs, "access-ttl", c.AccessTTL)
	positive(&errs, "session-idle-ttl", c.SessionIdleTTL)
	positive(&errs, "session-max-ttl", c.SessionMaxTTL)
	positive(&errs, "jwks-max-age", c.JWKSMaxAge)
	positive(&errs, "shutdown-timeout", c.ShutdownTimeout)
	if c.ReauthMaxAge < 0 || c.ReauthMaxAge > 24*time.Hour {
		bad("reauth-max-age", c.ReauthMaxAge, "want between 0s and 24h")
	}
	if c.RefreshGrace < 0 || c.RefreshGrace > time.Minute {
		bad("refresh-grace", c.RefreshGrace, "want between 0s and 1m")
	}
	if c.AccessTTL > 24*time.Hour {
		bad("access-ttl", c.AccessTTL, "want at most 24h: access tokens cannot be recalled")
	}
	oneOf(&errs, "cookie-samesite", c.CookieSameSite, "lax", "strict", "none")
	if c.CookieSameSite == "none" && !c.CookieSecure {
		bad("cookie-samesite", c.CookieSameSite, "none needs TESSERA_COOKIE_SECURE=true")
	}
	for _, o := range c.CORSOrigins {
		if !isOrigin(o) {
			bad("cors-origins", o, "want scheme://host[:port] with no path; * is never allowed")
		}
	}
	if len(c.Authentication) == 0 {
		bad("authentication", `""`, "want one or more of bearer, token, session, basic")
	}
	seen := map[string]bool{}
	for _, a := range c.Authentication {
		oneOf(&errs, "authentication", a, "bearer", "token", "session", "basic")
		if seen[a] {
			bad("authentication", a, "each authenticator at most once")
		}
		seen[a] = true
	}
	oneOf(&errs, "email-verification", c.EmailVerification, "optional", "mandatory", "none")
	oneOf(&errs, "admin-mfa", c.AdminMFA, "required", "optional")
	oneOf(&errs, "email-backend", c.EmailBackend, "console", "smtp")
	if c.EmailBackend == "smtp" && c.SMTPURL == "" {
		bad("smtp-url", `""`, "required when TESSERA_EMAIL_BACKEND=smtp")
	}
	if !isHTTPURL(c.FrontendURL) {
		bad("frontend-url", c.FrontendURL, "want an absolute http(s) URL")
	}
	if c.PasswordMinLength < 8 || c.PasswordMinLength > 128 {
		bad("password-min-length", c.PasswordMinLength, "want between 8 and 128")
	}
	oneOf(&errs, "log-format", c.LogFormat, "text", "json")
	oneOf(&errs, "log-level", c.LogLevel, "debug", "info", "warn", "error")
	for _, p := range c.TrustedProxies {
		if _, err := ParseIPNet(p); err != nil {
			bad("trusted-proxies", p, "want an IP address or CIDR")
		}
	}
	if c.DBMaxConns < 1 {
		bad("db-max-conns", c.DBMaxConns, "want at least 1")
	}
	positive(&errs, "revocation-poll-interval", c.RevocationPollInterval)
	positive(&errs, "audit-retention", c.AuditRetention)
	positive(&errs, "email-verify-ttl", c.EmailVerifyTTL)
	positive(&errs, "password-reset-ttl", c.PasswordResetTTL)
	positive(&errs, "login-failure-window", c.LoginFailureWindow)
	if c.LoginMaxFailures < 1 {
		bad("login-max-failures", c.LoginMaxFailures, "want at least 1")
	}
	for i, rs := range c.ResourceServers {
		// Never the entry itself: without its colon, all of it may be the secret.
		if id, secret, ok := strings.Cut(rs, ":"); !ok || id == "" || len(secret) < 16 {
			bad("resource-servers", fmt.Sprintf("(entry %d, not shown)", i+1), "want id:secret pairs with secrets of at least 16 characters")
		}
	}
	if _, err := mail.ParseAddress(c.MailFrom); err != nil {
		bad("mail-from", c.MailFrom, "want an e-mail address such as Tessera <no-reply@example.com>")
	}
	if c.HashConcurrency < 0 {
		bad("hash-concurrency", c.HashConcurrency, "want 0 (one per core) or more")
	}
	c.validateBrand(bad)
	c.validateCompat(bad)
	c.validateWebAuthn(bad)
	return errors.Join(errs...)
}

// brandColor is #rgb or #rrggbb.
var brandColor = regexp.MustCompile(`^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$`)

// validateBrand checks the hosted pages' branding. The logo must be https:
// its origin is allowed by the pages' Content-Security-Policy, and a page
// that asks for a password must not load anything over plain http.
func (c *Config) validateBrand(bad func(flag string, value any, allowed string)) {
	if name := strings.TrimSpace(c.BrandName); name == "" || len(c.BrandName) > 100 {
		bad("brand-name", fmt.Sprintf("%q", c.BrandName), "want a name of 1 to 100 characters")
	}
	if c.BrandLogoURL != "" {
		u, err := url.Parse(c.BrandLogoURL)
		if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || u.Fragment != "" ||
			strings.ContainsAny(c.BrandLogoURL, " '\"\\;") {
			bad("brand-logo-url", c.BrandLogoURL, "want an absolute https URL or nothing")
		}
	}
	if !brandColor.MatchString(c.BrandColor) {
		bad("brand-color", fmt.Sprintf("%q", c.BrandColor), "want #rgb or #rrggbb")
	}
}

// compatPath is a mount path: segments of URL-safe characters between
// slashes, starting and ending with one.
var compatPath = regexp.MustCompile(`^(/[A-Za-z0-9._~-]+)+/$`)

// reservedPrefixes are the first segments of Tessera's own routes; a
// compatible mount under one of them could shadow or be shadowed by them.
var reservedPrefixes = []string{"v1", "oauth", ".well-known", "admin", "account", "sdk", "static",
	"healthz", "readyz", "metrics", "signin", "signup", "signout", "forgot-password", "reset-password", "verify-email"}

// validateCompat checks the compatible routes' settings, one error per bad
// value. The path and token mode are checked even when Compat is off, so a
// typo shows before the day the mount is turned on.
func (c *Config) validateCompat(bad func(flag string, value any, allowed string)) {
	if c.Compat != "" && c.Compat != "dj-rest-auth" {
		bad("compat", fmt.Sprintf("%q", c.Compat), "want dj-rest-auth or nothing")
	}
	first, _, _ := strings.Cut(strings.TrimPrefix(c.CompatPath, "/"), "/")
	switch {
	case !compatPath.MatchString(c.CompatPath) || strings.Contains(c.CompatPath, "/./") || strings.Contains(c.CompatPath, "/../"):
		bad("compat-path", fmt.Sprintf("%q", c.CompatPath), "want a path such as /dj-rest-auth/, starting and ending with /")
	case slices.Contains(reservedPrefixes, first):
		bad("compat-path", fmt.Sprintf("%q", c.CompatPath), "want a path outside Tessera's own routes (/"+first+"/ is taken)")
	}
	if c.CompatToken != "token" && c.CompatToken != "jwt" {
		bad("compat-token", fmt.Sprintf("%q", c.CompatToken), "want token or jwt")
	}
	// The routes' login answers a credential of the mode's kind: one the
	// authenticators refuse would be a login that signs nobody in.
	if need := map[string]string{"token": "token", "jwt": "bearer"}[c.CompatToken]; c.Compat != "" && need != "" &&
		!slices.Contains(c.Authentication, need) {
		bad("compat-token", c.CompatToken, "its logins answer "+need+" credentials, which TESSERA_AUTHENTICATION must then list")
	}
}

func oneOf(errs *[]error, flag, v string, allowed ...string) {
	for _, a := range allowed {
		if v == a {
			return
		}
	}
	*errs = append(*errs, fmt.Errorf("%s=%q: want one of %s", EnvName(flag), v, strings.Join(allowed, ", ")))
}

func positive(errs *[]error, flag string, d time.Duration) {
	if d <= 0 {
		*errs = append(*errs, fmt.Errorf("%s=%v: want a positive duration", EnvName(flag), d))
	}
}

// isHTTPURL reports whether s is an http(s) URL with a host and nothing
// after its path, not even a bare "?" or "#": links are built by adding a
// path to it.
func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" &&
		!strings.ContainsAny(s, "?#") && u.User == nil
}

func isOrigin(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" &&
		(u.Path == "" || u.Path == "/") && u.RawQuery == "" && u.Fragment == "" && u.User == nil
}

// ParseIPNet parses an IP address (as a /32 or /128) or a CIDR.
func ParseIPNet(s string) (*net.IPNet, error) {
	if strings.Contains(s, "/") {
		_, n, err := net.ParseCIDR(s)
		return n, err
	}
	ip := net.ParseIP(s)
	if ip == nil {
		return nil, fmt.Errorf("invalid IP %q", s)
	}
	bits := 8 * len(ip.To16())
	if ip4 := ip.To4(); ip4 != nil {
		ip, bits = ip4, 32
	}
	return &net.IPNet{IP: ip, Mask: net.CIDRMask(bits, bits)}, nil
}
