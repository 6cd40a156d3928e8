// Package mfa owns the mechanics of second factors: TOTP codes (RFC 6238,
// around pquerna/otp), the sealing of TOTP secrets at rest, the QR code
// that carries an otpauth URI to an authenticator app, and recovery codes.
//
// It knows nothing of users, sessions, HTTP or the database: internal/auth
// decides who may enrol, remembers used time steps and counts attempts
// toward the brute-force limits. This package must never log a secret or a
// code, and never compare one in variable time.
package mfa
