package jwtverify

import "errors"

// Errors returned (wrapped) by Verify. Test them with errors.Is.
var (
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
