package mfa

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// Period is the length of one TOTP time step: 30 seconds, what every
// authenticator app assumes.
const Period = 30

// Skew is how many steps before and after the current one a code is
// accepted for (clocks of phones drift).
const Skew = 1

// CodeDigits is the length of a TOTP code.
const CodeDigits = 6

// SecretSize is the TOTP secret's length in bytes (160 bits, RFC 4226's
// recommendation).
const SecretSize = 20

// ErrWrongCode is returned by VerifyTOTP for a code that matches no step
// in the window.
var ErrWrongCode = errors.New("wrong code")

// Enrolment is a fresh TOTP secret and how to hand it to an app.
type Enrolment struct {
	// Secret is the base32 secret (shown for manual entry).
	Secret string
	// URI is the otpauth:// URI the QR code carries.
	URI string
}

// NewTOTP generates a secret for account at issuer (SHA-1, six digits,
// 30 s: the parameters every authenticator app supports).
func NewTOTP(issuer, account string) (*Enrolment, error) {
	key, err := totp.Generate(totp.GenerateOpts{
		Issuer: issuer, AccountName: account, Period: Period, SecretSize: SecretSize,
		Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1,
	})
	if err != nil {
		return nil, fmt.Errorf("new totp: %w", err)
	}
	return &Enrolment{Secret: key.Secret(), URI: key.URL()}, nil
}

// Step returns the TOTP time step that contains t.
func Step(t time.Time) int64 { return t.Unix() / Period }

// VerifyTOTP returns the time step code is valid for under secret at
// now, within Skew steps either way, or ErrWrongCode. Every step of the
// window is computed and compared in constant time, so the answer's
// timing does not tell which step matched. The caller must refuse a step
// already used (a code works once).
func VerifyTOTP(secret, code string, now time.Time) (int64, error) {
	if len(code) != CodeDigits {
		return 0, ErrWrongCode
	}
	cur := Step(now)
	var found int64
	for step := cur - Skew; step <= cur+Skew; step++ {
		want, err := totp.GenerateCodeCustom(secret, time.Unix(step*Period, 0), totp.ValidateOpts{
			Period: Period, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1,
		})
		if err != nil {
			return 0, fmt.Errorf("verify totp: %w", err)
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 && found == 0 {
			found = step
		}
	}
	if found == 0 {
		return 0, ErrWrongCode
	}
	return found, nil
}
