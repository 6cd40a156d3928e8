package auth_test

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"regexp"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/auth"
	"github.com/tessera-id/tessera/internal/config"
	"github.com/tessera-id/tessera/internal/mail"
	"github.com/tessera-id/tessera/internal/mfa"
	"github.com/tessera-id/tessera/internal/mfa/webauthntest"
	"github.com/tessera-id/tessera/internal/server/servertest"
	"github.com/tessera-id/tessera/internal/store/sqlstore"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
)

// dlOrigin is the page the software authenticator claims to run in.
const dlOrigin = "https://localhost:8443"

// dlRig is a rig whose Service mails into an Outbox, offers optional
// e-mail verification and accepts passkeys for dlOrigin.
func dlRig(t testing.TB, db *sqlstore.DB) (*rig, *mail.Outbox) {
	t.Helper()
	return dlRigVerifying(t, db, auth.VerificationOptional)
}

// dlRigVerifying is dlRig with e-mail verification set to mode.
func dlRigVerifying(t testing.TB, db *sqlstore.DB, mode string) (*rig, *mail.Outbox) {
	t.Helper()
	rp, err := mfa.NewWebAuthn(mfa.WebAuthnConfig{RPID: "localhost", RPName: "Tessera", Origins: []string{dlOrigin}})
	if err != nil {
		t.Fatalf("webauthn: %v", err)
	}
	out := mail.NewOutbox()
	r := newRigWith(t, db, t.TempDir(), servertest.NewClock(time.Now().UTC().Truncate(time.Second)), func(d *auth.Deps) {
		d.Settings.EmailVerification = mode
		d.Settings.FrontendURL = config.Default().FrontendURL
		d.Mailer, d.WebAuthn = out, rp
	})
	return r, out
}

// dlMails returns the messages of kind sent to addr.
func dlMails(out *mail.Outbox, addr, kind string) []mail.Message {
	var list []mail.Message
	for _, m := range out.To(addr) {
		if m.Kind == kind {
			list = append(list, m)
		}
	}
	return list
}

// dlLinkQuery is the query of the link in the newest mail of kind to addr.
func dlLinkQuery(t testing.TB, out *mail.Outbox, addr, kind string) url.Values {
	t.Helper()
	m, ok := out.LastOf(addr, kind)
	if !ok {
		t.Fatalf("no %s mail to %s", kind, addr)
	}
	u, err := url.Parse(regexp.MustCompile(`https?://\S+`).FindString(m.Text))
	if err != nil {
		t.Fatalf("link in %s mail: %v", kind, err)
	}
	return u.Query()
}

// dlAllowed lists the credential ids a passkey sign-in's options allow.
func dlAllowed(t testing.TB, c *auth.PasskeyChallenge) []string {
	t.Helper()
	var o struct {
		AllowCredentials []struct {
			ID string `json:"id"`
		} `json:"allowCredentials"`
	}
	if err := json.Unmarshal(c.PublicKey, &o); err != nil {
		t.Fatalf("request options: %v", err)
	}
	ids := make([]string, 0, len(o.AllowCredentials))
	for _, d := range o.AllowCredentials {
		ids = append(ids, d.ID)
	}
	return ids
}

// dlPasskeyAccount registers email with a passkey made by a new software
// authenticator: the registration's login, the authenticator, and the
// passkey's credential id as sign-in options list it.
func dlPasskeyAccount(t testing.TB, r *rig, email string) (*auth.Login, *webauthntest.Authenticator, string) {
	t.Helper()
	l := r.register(t, email, "")
	a := webauthntest.New(dlOrigin)
	dlAddPasskey(t, r, l, a)
	return l, a, base64.RawURLEncoding.EncodeToString(a.Credentials()[0].ID)
}

// dlAddPasskey registers a passkey made by a on l's account.
func dlAddPasskey(t testing.TB, r *rig, l *auth.Login, a *webauthntest.Authenticator) {
	t.Helper()
	p := &auth.Principal{User: l.User, Session: l.Session}
	opts, err := r.svc.BeginPasskeyRegistration(t.Context(), p)
	if err != nil {
		t.Fatalf("begin passkey registration: %v", err)
	}
	cred, err := a.Create(opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.svc.FinishPasskeyRegistration(t.Context(), p, auth.AddPasskeyInput{Name: "Key", Credential: cred, Device: laptop}); err != nil {
		t.Fatalf("finish passkey registration: %v", err)
	}
}

// dlAssert starts a passkey sign-in that names no account and has the
// authenticator a answer it: the challenge's id and the signed assertion.
func dlAssert(t testing.TB, r *rig, a *webauthntest.Authenticator) (string, []byte) {
	t.Helper()
	ch, err := r.svc.BeginPasskeyLogin(t.Context(), "")
	if err != nil {
		t.Fatal(err)
	}
	opts, err := json.Marshal(map[string]json.RawMessage{"publicKey": ch.PublicKey})
	if err != nil {
		t.Fatal(err)
	}
	cred, err := a.Get(opts)
	if err != nil {
		t.Fatal(err)
	}
	return ch.ChallengeID, cred
}

// Under mandatory verification an unverified account's passkey opens
// nothing, whether the tokens would go in the body, in cookies or to the
// hosted pages, and each refusal is audited as a passkey sign-in refused
// for the address.
func TestPasskeySignInNeedsVerifiedAddress(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		r, _ := dlRig(t, db)
		l, a, _ := dlPasskeyAccount(t, r, "ada@example.com")
		m, _ := dlRigVerifying(t, db, auth.VerificationMandatory)

		signIns := map[string]func(challengeID string, cred []byte) error{}
		for _, d := range []string{auth.DeliveryBody, auth.DeliveryCookie} {
			signIns["passkey sign-in, "+d] = func(challengeID string, cred []byte) error {
				_, err := m.svc.PasskeyLogin(t.Context(), auth.PasskeyLoginInput{
					ChallengeID: challengeID, Credential: cred, Delivery: d, Device: laptop})
				return err
			}
		}
		signIns["hosted passkey sign-in"] = func(challengeID string, cred []byte) error {
			_, err := m.svc.SignInBrowserPasskey(t.Context(), challengeID, cred, laptop)
			return err
		}
		for name, signIn := range signIns {
			challengeID, cred := dlAssert(t, m, a)
			if code := auth.ErrorCode(signIn(challengeID, cred)); code != auth.CodeEmailNotVerified {
				t.Errorf("%s of an unverified account: %q, want %s", name, code, auth.CodeEmailNotVerified)
			}
		}
		refused := 0
		for _, e := range m.events(t, "login_refused") {
			if e.UserID != nil && *e.UserID == l.User.ID && e.Details["method"] == "passkey" &&
				e.Details["reason"] == auth.CodeEmailNotVerified {
				refused++
			}
		}
		if refused != len(signIns) {
			t.Errorf("%d passkey sign-ins audited as refused for the address, want %d", refused, len(signIns))
		}
		if n := r.activeSessions(t, l.User.ID); n != 1 {
			t.Errorf("%d active sessions, want only the registration's", n)
		}
	})
}

// Under mandatory verification a browser's sign-in counts only while the
// address is verified: marked unverified again (as an admin may), the
// cookie signs nobody in, and it counts again once the address is.
func TestBrowserSessionNeedsVerifiedAddress(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		r, out := dlRig(t, db)
		l := r.register(t, "ada@example.com", "")
		if err := r.svc.VerifyEmail(t.Context(), dlLinkQuery(t, out, "ada@example.com", mail.TemplateVerifyEmail).Get("key"), laptop); err != nil {
			t.Fatalf("verify: %v", err)
		}
		m, _ := dlRigVerifying(t, db, auth.VerificationMandatory)
		b, err := m.svc.SignInBrowser(t.Context(), auth.BrowserSignInInput{Email: "ada@example.com", Password: testPassword, Device: laptop})
		if err != nil {
			t.Fatalf("browser sign-in of a verified account: %v", err)
		}
		signedIn := func() bool {
			t.Helper()
			got, err := m.svc.BrowserSession(t.Context(), b.Secret)
			if err != nil {
				t.Fatalf("browser session: %v", err)
			}
			return got != nil
		}
		setVerified := func(at *time.Time) {
			t.Helper()
			u := r.user(t, l.User.ID)
			u.EmailVerifiedAt = at
			if err := db.UpdateUser(t.Context(), u); err != nil {
				t.Fatalf("update user: %v", err)
			}
		}
		if !signedIn() {
			t.Fatal("a verified account's browser sign-in does not count")
		}
		verifiedAt := r.user(t, l.User.ID).EmailVerifiedAt
		setVerified(nil)
		if signedIn() {
			t.Error("an unverified account's browser sign-in still counts")
		}
		setVerified(verifiedAt)
		if !signedIn() {
			t.Error("the browser sign-in does not count again once the address is verified")
		}
	})
}

// A reset asked for a disabled account's address mails nothing and is
// recorded exactly as one asked for an address nobody has.
func TestDisabledAccountGetsNoResetMail(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		r, out := dlRig(t, db)
		l := r.register(t, "ada@example.com", "")
		r.disable(t, l.User)

		for _, addr := range []string{"ada@example.com", "nobody@example.com"} {
			if err := r.svc.RequestPasswordReset(t.Context(), addr, laptop); err != nil {
				t.Fatalf("reset for %s: %v", addr, err)
			}
			if got := dlMails(out, addr, mail.TemplateResetPassword); len(got) != 0 {
				t.Errorf("%d reset mails to %s, want none", len(got), addr)
			}
		}
		ev := r.events(t, "password_reset_requested")
		if len(ev) != 2 {
			t.Fatalf("%d password_reset_requested events, want 2", len(ev))
		}
		for _, e := range ev {
			if (e.UserID != nil && *e.UserID != uuid.Nil) || e.Details["account"] != "none" {
				t.Errorf("event user %v details %v, want no account", e.UserID, e.Details)
			}
		}
	})
}

// A reset link does not outlive the account's deactivation: used after
// it, it is an invalid key and the password stays what it was.
func TestResetLinkRefusedAfterDisable(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		r, out := dlRig(t, db)
		l := r.register(t, "ada@example.com", "")
		if err := r.svc.RequestPasswordReset(t.Context(), "ada@example.com", laptop); err != nil {
			t.Fatal(err)
		}
		q := dlLinkQuery(t, out, "ada@example.com", mail.TemplateResetPassword)
		before := r.user(t, l.User.ID).PasswordHash

		r.disable(t, l.User)
		err := r.svc.ConfirmPasswordReset(t.Context(), auth.ResetConfirmInput{
			UID: q.Get("uid"), Token: q.Get("token"), NewPassword: "a brand new passphrase", Device: laptop,
		})
		if code := auth.ErrorCode(err); code != auth.CodeInvalidKey {
			t.Fatalf("reset of a disabled account: %v, want %s", err, auth.CodeInvalidKey)
		}
		if r.user(t, l.User.ID).PasswordHash != before {
			t.Error("password hash changed")
		}
		r.enable(t, l.User)
		if _, err := r.login(t, "ada@example.com", testPassword); err != nil {
			t.Errorf("old password after re-enabling: %v", err)
		}
	})
}

// A disabled account is sent no verification key, however often it asks.
func TestDisabledAccountGetsNoVerificationMail(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		r, out := dlRig(t, db)
		l := r.register(t, "ada@example.com", "")
		sent := len(dlMails(out, "ada@example.com", mail.TemplateVerifyEmail))
		if sent != 1 {
			t.Fatalf("%d verification mails at registration, want 1", sent)
		}
		r.disable(t, l.User)
		if err := r.svc.ResendVerification(t.Context(), "ada@example.com", laptop); err != nil {
			t.Fatal(err)
		}
		if got := len(dlMails(out, "ada@example.com", mail.TemplateVerifyEmail)); got != sent {
			t.Errorf("%d verification mails after the resend, want %d", got, sent)
		}
		if ev := r.events(t, "verification_sent"); len(ev) != 1 {
			t.Errorf("%d verification_sent events, want 1", len(ev))
		}
	})
}

// A verification link does not outlive the account's deactivation: used
// after it, it is an invalid key and the address stays unverified.
func TestVerificationLinkRefusedAfterDisable(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		r, out := dlRig(t, db)
		l := r.register(t, "ada@example.com", "")
		key := dlLinkQuery(t, out, "ada@example.com", mail.TemplateVerifyEmail).Get("key")

		r.disable(t, l.User)
		err := r.svc.VerifyEmail(t.Context(), key, laptop)
		if code := auth.ErrorCode(err); code != auth.CodeInvalidKey {
			t.Fatalf("verification of a disabled account: %v, want %s", err, auth.CodeInvalidKey)
		}
		if u := r.user(t, l.User.ID); u.EmailVerifiedAt != nil {
			t.Errorf("address verified at %v", u.EmailVerifiedAt)
		}
		if ev := r.events(t, "email_verified"); len(ev) != 0 {
			t.Errorf("%d email_verified events, want none", len(ev))
		}
	})
}

// A disabled account's right password is a failed sign-in like a wrong
// one: refused, audited as login_failed, and counted, so guesses made
// before the right password are not forgiven when the account comes back.
func TestDisabledAccountRightPasswordIsAFailure(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		r := startRig(t, db)
		l := r.register(t, "ada@example.com", "")
		limit := config.Default().LoginMaxFailures
		for range limit - 1 {
			if _, err := r.login(t, "ada@example.com", "not the password"); auth.ErrorCode(err) != auth.CodeInvalidCredentials {
				t.Fatalf("wrong password: %v", err)
			}
		}
		r.disable(t, l.User)
		_, err := r.login(t, "ada@example.com", testPassword)
		if code := auth.ErrorCode(err); code != auth.CodeInvalidCredentials {
			t.Fatalf("disabled account: %v, want %s", err, auth.CodeInvalidCredentials)
		}
		if ev := r.events(t, "login_failed"); len(ev) != limit || ev[0].UserID == nil || *ev[0].UserID != l.User.ID {
			t.Errorf("%d login_failed events, want %d, the newest for %v", len(ev), limit, l.User.ID)
		}

		r.enable(t, l.User)
		_, err = r.login(t, "ada@example.com", testPassword)
		if code := auth.ErrorCode(err); code != auth.CodeRateLimited {
			t.Fatalf("sign-in after re-enabling: %v, want %s", err, auth.CodeRateLimited)
		}
		r.clock.Advance(config.Default().LoginFailureWindow + time.Second)
		if _, err := r.login(t, "ada@example.com", testPassword); err != nil {
			t.Fatalf("sign-in after the window: %v", err)
		}
	})
}

// Naming a disabled account at the start of a passkey sign-in reveals
// none of its passkeys: the options look like an unknown address's.
func TestDisabledAccountPasskeyChallengeIsADecoy(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		r, _ := dlRig(t, db)
		l, _, realID := dlPasskeyAccount(t, r, "ada@example.com")

		ch, err := r.svc.BeginPasskeyLogin(t.Context(), "ada@example.com")
		if err != nil {
			t.Fatal(err)
		}
		if ids := dlAllowed(t, ch); len(ids) != 1 || ids[0] != realID {
			t.Fatalf("active account allows %v, want its passkey %s", ids, realID)
		}

		r.disable(t, l.User)
		ch, err = r.svc.BeginPasskeyLogin(t.Context(), "ada@example.com")
		if err != nil {
			t.Fatal(err)
		}
		ids := dlAllowed(t, ch)
		if len(ids) != 1 || ids[0] == realID {
			t.Errorf("disabled account allows %v, want one made-up id (not %s)", ids, realID)
		}
		unknown, err := r.svc.BeginPasskeyLogin(t.Context(), "nobody@example.com")
		if err != nil {
			t.Fatal(err)
		}
		if n := len(dlAllowed(t, unknown)); n != len(ids) {
			t.Errorf("unknown address allows %d ids, disabled account %d", n, len(ids))
		}
	})
}

// A disabled account cannot sign in with its passkey, and the refusal is
// audited as a failed sign-in of that account because it is inactive.
func TestDisabledAccountPasskeySignInRefused(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		r, _ := dlRig(t, db)
		l, a, _ := dlPasskeyAccount(t, r, "ada@example.com")
		r.disable(t, l.User)

		challengeID, cred := dlAssert(t, r, a)
		_, err := r.svc.PasskeyLogin(t.Context(), auth.PasskeyLoginInput{
			ChallengeID: challengeID, Credential: cred, Delivery: auth.DeliveryBody, Device: laptop,
		})
		if code := auth.ErrorCode(err); code != auth.CodeInvalidCredentials {
			t.Fatalf("passkey sign-in of a disabled account: %v, want %s", err, auth.CodeInvalidCredentials)
		}
		ev := r.events(t, "login_failed")
		if len(ev) != 1 || ev[0].UserID == nil || *ev[0].UserID != l.User.ID ||
			ev[0].Details["method"] != "passkey" || ev[0].Details["reason"] != "inactive" {
			t.Fatalf("login_failed events %+v, want one passkey failure of %v for inactive", ev, l.User.ID)
		}
		if n := r.activeSessions(t, l.User.ID); n != 1 {
			t.Errorf("%d active sessions, want only the registration's", n)
		}
	})
}

// An admin whose account was disabled is an admin no more: the account as
// loaded for the request decides, not what the session remembers.
func TestDisabledAdminIsNoActor(t *testing.T) {
	r := startRig(t, sqltest.NewSQLite(t))
	admin, err := r.svc.AdminCreateUser(t.Context(), auth.Actor{Operator: "root"},
		auth.CreateUserInput{Email: "admin@example.com", Password: testPassword, IsAdmin: true})
	if err != nil {
		t.Fatal(err)
	}
	l, err := r.login(t, "admin@example.com", testPassword)
	if err != nil {
		t.Fatal(err)
	}
	a, err := auth.AdminActor(&auth.Principal{User: r.user(t, admin.ID), Session: l.Session}, laptop)
	if err != nil || a.UserID != admin.ID {
		t.Fatalf("active admin: actor %v, %v", a.UserID, err)
	}

	r.disable(t, admin)
	u := r.user(t, admin.ID)
	if !u.IsAdmin || u.IsActive {
		t.Fatalf("admin %v active %v, want a disabled admin", u.IsAdmin, u.IsActive)
	}
	_, err = auth.AdminActor(&auth.Principal{User: u, Session: l.Session}, laptop)
	if code := auth.ErrorCode(err); code != auth.CodePermissionDenied {
		t.Fatalf("disabled admin: %v, want %s", err, auth.CodePermissionDenied)
	}
}

// A pending login whose account is disabled before its passkey ceremony
// starts gets no options: the mfa_token is refused as invalid, and works
// again once the account is enabled.
func TestDisabledAccountPasskeyFactorNotStarted(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		r, _ := dlRig(t, db)
		l, _, realID := dlPasskeyAccount(t, r, "ada@example.com")
		mr := r.pendingLogin(t, l.User, auth.MethodWebAuthn)

		r.disable(t, l.User)
		ch, err := r.svc.BeginPasskeyFactor(t.Context(), mr.Token)
		if err == nil {
			t.Fatalf("passkey factor started for a disabled account, allowing %v", dlAllowed(t, ch))
		}
		wantCode(t, err, auth.CodeInvalidMFAToken)

		r.enable(t, l.User)
		ch, err = r.svc.BeginPasskeyFactor(t.Context(), mr.Token)
		if err != nil {
			t.Fatalf("passkey factor after the account was enabled again: %v", err)
		}
		if ids := dlAllowed(t, ch); len(ids) != 1 || ids[0] != realID {
			t.Fatalf("options allow %v, want the account's passkey %s", ids, realID)
		}
	})
}
