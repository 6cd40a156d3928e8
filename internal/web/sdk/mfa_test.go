package sdk_test

import (
	"fmt"
	"testing"

	"github.com/tessera-id/tessera/internal/browsertest"
)

// mfaChallenge is what t.login answers for an account with a second
// factor, as the page sees it.
type mfaChallenge struct {
	MFARequired bool     `json:"mfaRequired"`
	Methods     []string `json:"methods"`
	ExpiresIn   int      `json:"expiresIn"`
	HasVerify   bool     `json:"hasVerify"`
}

// TestLoginWithSecondFactor: for an account with an authenticator app,
// t.login resolves to a challenge (no one is signed in yet, the page gets
// no token); a wrong code rejects with invalid_mfa_code and may be tried
// again; t.verifyMfa({code}) signs in; a recovery code works through the
// challenge's own verify.
func TestLoginWithSecondFactor(t *testing.T) {
	d := browsertest.NewDeployment(t, nil)
	tab := browsertest.NewProfile(t).Open(d.Origin(browsertest.AppHost) + "/")
	u := register(t, tab)
	browsertest.Eval[any](tab, "t.logout()")
	secret, codes := d.Tessera.EnrolTOTP(t, u.Email, password)

	login := fmt.Sprintf(`t.login({email: %q, password: %q}).then((c) => (window.pending = c, {...c, hasVerify: typeof c.verify === "function"}))`, u.Email, password)
	ch := browsertest.Eval[mfaChallenge](tab, login)
	if !ch.MFARequired || len(ch.Methods) != 2 || ch.Methods[0] != "totp" || ch.Methods[1] != "recovery_code" || ch.ExpiresIn != 300 || !ch.HasVerify {
		t.Fatalf("t.login answered %+v", ch)
	}
	if got := currentUser(t, tab); got != nil {
		t.Fatalf("signed in as %+v before the second factor", got)
	}
	wrong := "000000"
	if wrong == d.Tessera.TOTPCode(t, secret, 0) {
		wrong = "111111"
	}
	errCode := browsertest.Eval[string](tab, `t.verifyMfa({code: `+js(wrong)+`}).then(() => "signed in", (e) => e.error)`)
	if errCode != "invalid_mfa_code" {
		t.Fatalf("wrong code: %s", errCode)
	}
	in := browsertest.Eval[user](tab, `t.verifyMfa({code: `+js(d.Tessera.TOTPCode(t, secret, 0))+`})`)
	if in.ID != u.ID {
		t.Fatalf("t.verifyMfa answered %+v", in)
	}
	if got := currentUser(t, tab); got == nil || got.ID != u.ID {
		t.Fatalf("t.user() = %+v after the code", got)
	}
	if n := auditCount(t, d, "mfa_challenged"); n != 1 {
		t.Fatalf("%d pending logins audited, want 1", n)
	}

	browsertest.Eval[any](tab, "t.logout()")
	browsertest.Eval[mfaChallenge](tab, login)
	in = browsertest.Eval[user](tab, `window.pending.verify({recovery_code: `+js(codes[0])+`})`)
	if in.ID != u.ID {
		t.Fatalf("verify with a recovery code answered %+v", in)
	}
	again := browsertest.Eval[string](tab, `t.verifyMfa({code: "123456"}).then(() => "signed in", (e) => e.error)`)
	if again != "invalid_mfa_token" {
		t.Fatalf("a spent challenge: %s", again)
	}
}
