package config

import (
	"net/url"
	"slices"
	"strings"
)

// redacted replaces a secret wherever one would be shown.
const redacted = "xxxxx"

// secretParams are fragments of query parameter names whose values are
// secrets (password, sslpassword, api_key, token, ...).
var secretParams = []string{"pass", "pwd", "secret", "token", "key", "credential", "signature"}

// RedactURL returns rawURL fit for an error message or a log line: the
// password of its userinfo and the value of every query parameter whose
// name suggests a secret become "xxxxx", and a fragment is dropped. A value
// that is not an absolute URL with a host (sqlite: paths excepted) is not
// shown at all: a parser that cannot find the password cannot hide it.
func RedactURL(rawURL string) string {
	if rawURL == "" {
		return ""
	}
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme == "" || (u.Scheme != "sqlite" && (u.Opaque != "" || u.Host == "")) {
		return "(not a URL: not shown, it may hold a password)"
	}
	if u.RawQuery != "" {
		q := u.Query()
		for name := range q {
			if isSecretParam(name) {
				q[name] = []string{redacted}
			}
		}
		u.RawQuery = q.Encode()
	}
	u.Fragment, u.RawFragment = "", ""
	return u.Redacted()
}

func isSecretParam(name string) bool {
	name = strings.ToLower(name)
	for _, s := range secretParams {
		if strings.Contains(name, s) {
			return true
		}
	}
	return false
}

// shown is the value of the setting flag as an error may quote it.
func shown(flag, value string) string {
	switch flag {
	case "database-url", "smtp-url":
		return RedactURL(value)
	case "resource-servers":
		return "(not shown: it holds secrets)"
	}
	return value
}

// Secrets returns every secret the settings hold: passwords and secret
// query values of the database and SMTP URLs, as written and decoded, and
// each resource server's secret. Redactor removes them from text.
func (c *Config) Secrets() []string {
	var out []string
	add := func(s string) {
		if s != "" {
			out = append(out, s)
		}
	}
	for _, raw := range []string{c.DatabaseURL, c.SMTPURL} {
		for _, s := range urlSecrets(raw) {
			add(s)
		}
	}
	for _, rs := range c.ResourceServers {
		if _, secret, ok := strings.Cut(rs, ":"); ok {
			add(secret)
		} else {
			add(rs)
		}
	}
	return out
}

// urlSecrets returns the secrets of rawURL as written, escaped and
// unescaped: the userinfo's password and secret query values. It reads the
// text itself rather than url.Parse's result, so that a URL too broken to
// parse (the kind a driver quotes in its error) still gives them up.
func urlSecrets(raw string) []string {
	if strings.HasPrefix(raw, "sqlite:") {
		return nil // a file path; an '@' or ':' in it is no password
	}
	_, rest, ok := strings.Cut(raw, "://")
	if !ok {
		_, rest, _ = strings.Cut(raw, ":") // opaque: scheme:user:pass@host
	}
	rest, query, _ := strings.Cut(rest, "?")
	query, _, _ = strings.Cut(query, "#")
	var out []string
	add := func(s string) {
		if s == "" {
			return
		}
		out = append(out, s, url.QueryEscape(s), url.PathEscape(s))
		for _, unescape := range []func(string) (string, error){url.PathUnescape, url.QueryUnescape} {
			if u, err := unescape(s); err == nil {
				out = append(out, u)
			}
		}
	}
	if at := strings.LastIndex(rest, "@"); at > 0 {
		if _, pass, ok := strings.Cut(rest[:at], ":"); ok {
			add(pass)
		}
	}
	vals, _ := url.ParseQuery(query) // keeps what parses
	for name, vs := range vals {
		if isSecretParam(name) {
			for _, v := range vs {
				add(v)
			}
		}
	}
	return out
}

// Redactor returns a replacer of every secret of c (see Secrets) by
// "xxxxx", longest first. Errors from drivers and parsers may quote a URL
// whole: every error the command line prints and every log line pass
// through it. Build it once; it is safe for concurrent use.
func (c *Config) Redactor() *strings.Replacer {
	secrets := c.Secrets()
	slices.SortFunc(secrets, func(a, b string) int {
		if d := len(b) - len(a); d != 0 {
			return d
		}
		return strings.Compare(a, b) // equal secrets side by side for Compact
	})
	var pairs []string
	for _, s := range slices.Compact(secrets) {
		pairs = append(pairs, s, redacted)
	}
	return strings.NewReplacer(pairs...)
}
