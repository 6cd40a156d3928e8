package httpapi_test

import (
	"fmt"
	"net/url"
	"regexp"
	"testing"

	"github.com/tessera-id/tessera/internal/auth"
	"github.com/tessera-id/tessera/internal/config"
	"github.com/tessera-id/tessera/internal/mail"
	"github.com/tessera-id/tessera/internal/server/servertest"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
)

// contractLink is the query of the link of the newest mail of kind to to.
func contractLink(t *testing.T, ts *servertest.TestServer, out *mail.Outbox, to, kind string) url.Values {
	t.Helper()
	ts.FlushMail(t)
	var m *mail.Message
	for _, x := range out.To(to) {
		if x.Kind == kind {
			m = &x
		}
	}
	if m == nil {
		t.Fatalf("no %s mail to %s", kind, to)
	}
	u, err := url.Parse(regexp.MustCompile(`https?://\S+`).FindString(m.Text))
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}

// lifecycleContractWalks walk the account flows (verification, reset,
// change, e-mail change) against real servers, one per verification mode
// that answers differently, reading keys from an in-memory outbox; the
// contract test counts them in its coverage.
func lifecycleContractWalks(t *testing.T) []*contractWalk {
	out := mail.NewOutbox()
	ts := servertest.StartWith(t, sqltest.NewSQLite(t), servertest.Options{Mailer: out})
	w := newContractWalk(t, ts)
	lc := func(extra map[string]any) map[string]any {
		m := map[string]any{"email": "lc@example.com", "password": contractPassword}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	bearer := "Authorization: Bearer {lc_access}"
	flood := []contractStep{}
	for i := range 6 {
		status, code := 202, ""
		if i == 5 {
			status, code = 429, "rate_limited"
		}
		flood = append(flood, contractStep{name: fmt.Sprintf("reset flood %d", i+1), method: "POST", path: "/v1/auth/password/reset",
			body: map[string]any{"email": "flood@example.com"}, status: status, code: code})
	}
	t.Run("lifecycle", func(t *testing.T) {
		w.run(t, append([]contractStep{
			{name: "register", method: "POST", path: "/v1/auth/register", body: lc(nil), status: 201},
			{name: "register other", method: "POST", path: "/v1/auth/register", body: lc(map[string]any{"email": "other@example.com"}), status: 201},
			{name: "resend unknown", method: "POST", path: "/v1/auth/email/resend", body: map[string]any{"email": "nobody@example.com"}, status: 202},
			{name: "resend malformed", method: "POST", path: "/v1/auth/email/resend", body: map[string]any{"email": "nobody"}, status: 400, code: "invalid_request"},
			{name: "resend text body", method: "POST", path: "/v1/auth/email/resend", body: "x", headers: []string{"Content-Type: text/plain"}, status: 415, code: "unsupported_media_type", offSpec: true},
			{name: "verify unknown key", method: "POST", path: "/v1/auth/email/verify", body: map[string]any{"key": "nope"}, status: 400, code: "invalid_key"},
			{name: "verify without key", method: "POST", path: "/v1/auth/email/verify", body: map[string]any{}, status: 400, code: "invalid_request", offSpec: true},
			{name: "reset", method: "POST", path: "/v1/auth/password/reset", body: map[string]any{"email": "lc@example.com"}, status: 202},
			{name: "reset unknown", method: "POST", path: "/v1/auth/password/reset", body: map[string]any{"email": "nobody@example.com"}, status: 202},
			{name: "reset malformed", method: "POST", path: "/v1/auth/password/reset", body: map[string]any{"email": "nobody"}, status: 400, code: "invalid_request"},
		}, flood...))
		w.vars["verify_key"] = contractLink(t, ts, out, "lc@example.com", mail.TemplateVerifyEmail).Get("key")
		q := contractLink(t, ts, out, "lc@example.com", mail.TemplateResetPassword)
		w.vars["uid"], w.vars["token"] = q.Get("uid"), q.Get("token")
		w.run(t, []contractStep{
			{name: "reset confirm, weak password", method: "POST", path: "/v1/auth/password/reset/confirm", body: map[string]any{"uid": "{uid}", "token": "{token}", "new_password": "password1234"}, status: 400, code: "invalid_request"},
			{name: "reset confirm", method: "POST", path: "/v1/auth/password/reset/confirm", body: map[string]any{"uid": "{uid}", "token": "{token}", "new_password": "a brand new passphrase"}, status: 200},
			{name: "reset confirm again", method: "POST", path: "/v1/auth/password/reset/confirm", body: map[string]any{"uid": "{uid}", "token": "{token}", "new_password": "a brand new passphrase"}, status: 400, code: "invalid_key"},
			{name: "reset confirm without token", method: "POST", path: "/v1/auth/password/reset/confirm", body: map[string]any{"uid": "{uid}"}, status: 400, code: "invalid_request", offSpec: true},
			{name: "login", method: "POST", path: "/v1/auth/login", body: lc(map[string]any{"password": "a brand new passphrase"}), status: 200, save: map[string]string{"lc_access": "access_token"}},
			{name: "change, wrong current", method: "POST", path: "/v1/auth/password/change", headers: []string{bearer}, body: map[string]any{"current_password": "not the password", "new_password": contractPassword}, status: 400, code: "invalid_request"},
			{name: "change", method: "POST", path: "/v1/auth/password/change", headers: []string{bearer}, body: map[string]any{"current_password": "a brand new passphrase", "new_password": contractPassword}, status: 200},
			{name: "change anonymously", method: "POST", path: "/v1/auth/password/change", body: map[string]any{"current_password": "x", "new_password": "y"}, status: 401, code: "not_authenticated"},
			{name: "change e-mail to a taken one", method: "PATCH", path: "/v1/auth/me", headers: []string{bearer}, body: map[string]any{"email": "OTHER@example.com", "current_password": contractPassword}, status: 409, code: "email_taken"},
			{name: "change e-mail", method: "PATCH", path: "/v1/auth/me", headers: []string{bearer}, body: map[string]any{"email": "new@example.com", "current_password": contractPassword}, status: 200},
		})
		w.vars["change_key"] = contractLink(t, ts, out, "new@example.com", mail.TemplateChangeEmail).Get("key")
		w.run(t, []contractStep{
			{name: "verify change key", method: "POST", path: "/v1/auth/email/verify", body: map[string]any{"key": "{change_key}"}, status: 200},
			{name: "verify key of the old address", method: "POST", path: "/v1/auth/email/verify", body: map[string]any{"key": "{verify_key}"}, status: 400, code: "invalid_key"},
		})
	})
	return []*contractWalk{w, mandatoryContractWalk(t)}
}

// mandatoryContractWalk: registration answers without a session, and
// login is refused until the address is verified.
func mandatoryContractWalk(t *testing.T) *contractWalk {
	out := mail.NewOutbox()
	ts := servertest.StartWith(t, sqltest.NewSQLite(t), servertest.Options{Mailer: out,
		Mutate: func(c *config.Config) { c.EmailVerification = auth.VerificationMandatory }})
	w := newContractWalk(t, ts)
	creds := map[string]any{"email": "m@example.com", "password": contractPassword}
	t.Run("mandatory verification", func(t *testing.T) {
		w.run(t, []contractStep{
			{name: "register", method: "POST", path: "/v1/auth/register", body: creds, status: 201},
			{name: "register taken", method: "POST", path: "/v1/auth/register", body: creds, status: 201},
			{name: "login unverified", method: "POST", path: "/v1/auth/login", body: creds, status: 403, code: "email_not_verified"},
		})
		w.vars["key"] = contractLink(t, ts, out, "m@example.com", mail.TemplateVerifyEmail).Get("key")
		w.run(t, []contractStep{
			{name: "verify", method: "POST", path: "/v1/auth/email/verify", body: map[string]any{"key": "{key}"}, status: 200},
			{name: "resend verified", method: "POST", path: "/v1/auth/email/resend", body: map[string]any{"email": "m@example.com"}, status: 202},
			{name: "login verified", method: "POST", path: "/v1/auth/login", body: creds, status: 200},
		})
	})
	return w
}
