package servertest

import (
	"net/http"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// TOTPCode is the code of secret at the server's clock moved by skew
// steps, computed as an authenticator app computes it.
func (ts *TestServer) TOTPCode(t testing.TB, secret string, skew int) string {
	t.Helper()
	at := ts.Clock.Now().Add(time.Duration(skew) * 30 * time.Second)
	c, err := totp.GenerateCodeCustom(secret, at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// NextTOTPStep moves the server's clock to the start of the next TOTP
// step, so a code no one has used exists.
func (ts *TestServer) NextTOTPStep() {
	ts.Clock.Advance(time.Duration(30-ts.Clock.Now().Unix()%30) * time.Second)
}

// EnrolTOTP gives the account email (password pw) an active authenticator
// app through the API and returns its secret and recovery codes. The
// clock is left at the start of a step no code was used for.
func (ts *TestServer) EnrolTOTP(t testing.TB, email, pw string) (string, []string) {
	t.Helper()
	c := ts.NewClient(t)
	r := c.Do("POST", "/v1/auth/login", map[string]any{"email": email, "password": pw}).Want(t, http.StatusOK)
	authz := "Authorization: Bearer " + r.Str("access_token")
	secret := c.Do("POST", "/v1/auth/mfa/totp", map[string]any{"password": pw}, authz).Want(t, http.StatusOK).Str("secret")
	ts.NextTOTPStep()
	r = c.Do("POST", "/v1/auth/mfa/totp/confirm", map[string]any{"code": ts.TOTPCode(t, secret, 0)}, authz).Want(t, http.StatusOK)
	var codes []string
	for _, v := range r.JSON()["recovery_codes"].([]any) {
		codes = append(codes, v.(string))
	}
	ts.NextTOTPStep()
	return secret, codes
}
