package jwtverify

import (
	"errors"
	"fmt"

	"github.com/golang-jwt/jwt/v5"
)

// Errors returned (wrapped) by Verify. Test them with errors.Is.
var (
	// ErrMalformed is also returned for a token that is not spelled the one
	// way this package accepts: a byte outside base64url, non-zero unused
	// bits in a segment's last character, a header or payload that is not
	// UTF-8, a date (exp, nbf, iat) that is not a JSON number, or an ES256
	// signature whose s is above half the group order.
	ErrMalformed       = errors.New("jwtverify: malformed token")
	ErrTooLarge        = errors.New("jwtverify: token too large")
	ErrUnknownKey      = errors.New("jwtverify: unknown key id")
	ErrAlgorithm       = errors.New("jwtverify: algorithm not allowed")
	ErrSignature       = errors.New("jwtverify: invalid signature")
	ErrType            = errors.New("jwtverify: token type is not at+jwt")
	ErrExpired         = errors.New("jwtverify: token expired")
	ErrNotYetValid     = errors.New("jwtverify: token not valid yet")
	ErrInvalidIssuer   = errors.New("jwtverify: invalid issuer")
	ErrInvalidAudience = errors.New("jwtverify: invalid audience")
	ErrMissingClaim    = errors.New("jwtverify: required claim missing")
	ErrRevoked         = errors.New("jwtverify: session revoked")
)

// Preallocated so a token missing a claim costs no allocation to refuse.
var (
	errMissingSub      = fmt.Errorf("%w: sub", ErrMissingClaim)
	errMissingIat      = fmt.Errorf("%w: iat", ErrMissingClaim)
	errMissingJti      = fmt.Errorf("%w: jti", ErrMissingClaim)
	errMissingClientID = fmt.Errorf("%w: client_id", ErrMissingClaim)
	errMissingSid      = fmt.Errorf("%w: sid", ErrMissingClaim)
)

// Refusals of a token's other spellings (canonical.go), preallocated too.
var (
	errAlphabet      = fmt.Errorf("%w: a character outside base64url", ErrMalformed)
	errHeaderUTF8    = fmt.Errorf("%w: header is not UTF-8", ErrMalformed)
	errPayloadUTF8   = fmt.Errorf("%w: payload is not UTF-8", ErrMalformed)
	errDateNotNumber = fmt.Errorf("%w: exp, nbf and iat must be JSON numbers", ErrMalformed)
	errDateRange     = fmt.Errorf("%w: a date out of range", ErrMalformed)
	errHighS         = fmt.Errorf("%w: ES256 signature with a high s", ErrMalformed)
)

// ownErrors are the sentinels the keyfunc may return; golang-jwt wraps them
// and they pass through classify unchanged.
var ownErrors = []error{ErrType, ErrUnknownKey, ErrAlgorithm, ErrMalformed}

// claimErrors maps golang-jwt's claim errors to ours, most telling first
// when the Validator reports several at once.
var claimErrors = []struct{ theirs, ours error }{
	{jwt.ErrTokenRequiredClaimMissing, ErrMissingClaim},
	{jwt.ErrTokenInvalidIssuer, ErrInvalidIssuer},
	{jwt.ErrTokenInvalidAudience, ErrInvalidAudience},
	{jwt.ErrTokenExpired, ErrExpired},
	{jwt.ErrTokenNotValidYet, ErrNotYetValid},
	{jwt.ErrTokenUsedBeforeIssued, ErrNotYetValid},
}

// classify turns a golang-jwt error into one wrapping exactly one of our
// sentinels; the golang-jwt error stays in the chain for errors.Is.
// method is the token's signing method, nil when its alg is missing or
// unknown to golang-jwt.
func (v *Verifier) classify(method jwt.SigningMethod, err error) error {
	for _, own := range ownErrors {
		if errors.Is(err, own) {
			return err
		}
	}
	switch {
	case errors.Is(err, jwt.ErrTokenMalformed):
		return wrap(ErrMalformed, err)
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		// parse reports an alg outside the allow-list (including "none"
		// and HS256) as an invalid signature, as golang-jwt's parser
		// does; say what it was.
		if method != nil && !v.allowed(method.Alg()) {
			return wrap(ErrAlgorithm, err)
		}
		return wrap(ErrSignature, err)
	case errors.Is(err, jwt.ErrTokenInvalidClaims):
		for _, m := range claimErrors {
			if errors.Is(err, m.theirs) {
				return wrap(m.ours, err)
			}
		}
		return wrap(ErrMalformed, err)
	case errors.Is(err, jwt.ErrTokenUnverifiable):
		if method == nil {
			// alg missing or unknown to golang-jwt.
			return wrap(ErrAlgorithm, err)
		}
		// The KeySet failed for a reason of its own (e.g. a fetch).
		return fmt.Errorf("jwtverify: key lookup: %w", err)
	}
	return wrap(ErrMalformed, err)
}

func (v *Verifier) allowed(alg string) bool {
	for _, a := range v.cfg.algs {
		if a == alg {
			return true
		}
	}
	return false
}

func wrap(ours, theirs error) error { return fmt.Errorf("%w: %w", ours, theirs) }
