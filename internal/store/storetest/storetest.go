// Package storetest is the conformance suite for store.Store: one table of
// named subtests that every implementation, on every database, must pass
// unchanged (like dex's storage/conformance).
//
// It owns the rules the store keeps for its callers: uniqueness and the
// errors that report it, what "active" means for a session, exactly-one-
// winner rotation, revocation that keeps the first reason, and times that
// come back exactly as stored. It must never reach below the Store
// interface (no SQL, no implementation types), so that it can judge any
// implementation; tests of one implementation's internals live beside it.
package storetest

import (
	"crypto/rand"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/store"
)

// Run runs every conformance subtest, each against a fresh store from
// newStore. newStore must register the store's cleanup (Close) on t.
func Run(t *testing.T, newStore func(t *testing.T) store.Store) {
	tests := []subtest{
		{"UserCreateGet", testUserCreateGet},
		{"UserNotFound", testUserNotFound},
		{"UserEmailConflict", testUserEmailConflict},
		{"UserExternalIDConflict", testUserExternalIDConflict},
		{"UserUsernameConflict", testUserUsernameConflict},
		{"UserWithoutUsernames", testUserWithoutUsernames},
		{"UserIDConflict", testUserIDConflict},
		{"UserUpdate", testUserUpdate},
		{"UserUpdateConflict", testUserUpdateConflict},
		{"UserRecordLogin", testUserRecordLogin},
		{"UserByExternalID", testUserByExternalID},
		{"CountPasswordHashes", testCountPasswordHashes},
		{"AuthTokenImported", testAuthTokenImported},
		{"ClientDefault", testClientDefault},
		{"SessionCreateGet", testSessionCreateGet},
		{"SessionAndUser", testSessionAndUser},
		{"SessionAuthAndUser", testSessionAuthAndUser},
		{"SessionCreateAudited", testSessionCreateAudited},
		{"SessionNeedsUserAndClient", testSessionNeedsUserAndClient},
		{"SessionSecretConflict", testSessionSecretConflict},
		{"SessionSSO", testSessionSSO},
		{"SessionList", testSessionList},
		{"SessionRotate", testSessionRotate},
		{"SessionRotateRevoked", testSessionRotateRevoked},
		{"SessionRotateExpired", testSessionRotateExpired},
		{"SessionRotateUnknown", testSessionRotateUnknown},
		{"SessionRotateConcurrent", testSessionRotateConcurrent},
		{"SessionTouch", testSessionTouch},
		{"SessionRevoke", testSessionRevoke},
		{"SessionRevokeIdempotent", testSessionRevokeIdempotent},
		{"SessionRevokeUserSessions", testSessionRevokeUserSessions},
		{"SessionRevokeSSOSessions", testSessionRevokeSSOSessions},
		{"AuthTokenLifecycle", testAuthTokenLifecycle},
		{"OneTimeCreateGet", testOneTimeCreateGet},
		{"OneTimeOfUser", testOneTimeOfUser},
		{"OneTimeSupersede", testOneTimeSupersede},
		{"OneTimeUse", testOneTimeUse},
		{"OneTimeUseConcurrent", testOneTimeUseConcurrent},
		{"OneTimeDelete", testOneTimeDelete},
		{"RevocationFeed", testRevocationFeed},
		{"RevocationFeedKeepsDeleted", testRevocationFeedKeepsDeleted},
		{"DeleteUserRacesLogin", testDeleteUserRacesLogin},
		{"PruneSessions", testPruneSessions},
		{"PruneTombstones", testPruneTombstones},
		{"PruneOneTimeTokens", testPruneOneTimeTokens},
		{"PruneLoginThrottles", testPruneLoginThrottles},
		{"PruneBatches", testPruneBatches},
		{"LoginThrottle", testLoginThrottle},
		{"AuditAddList", testAuditAddList},
		{"AuditDefaults", testAuditDefaults},
		{"AdminListUsers", testAdminListUsers},
		{"AdminListUsersConcurrent", testAdminListUsersConcurrent},
		{"AdminUpdateUserFlags", testAdminUpdateUserFlags},
		{"AdminDeleteUser", testAdminDeleteUser},
		{"AdminListSessions", testAdminListSessions},
		{"AdminClientCRUD", testAdminClientCRUD},
		{"AdminListClients", testAdminListClients},
		{"AdminDeleteClient", testAdminDeleteClient},
		{"AdminAuditQuery", testAdminAuditQuery},
		{"ConsoleSearchUsers", testConsoleSearchUsers},
		{"ConsoleCounts", testConsoleCounts},
		{"ConsoleAuditUntil", testConsoleAuditUntil},
		{"ClientSecret", testClientSecret},
		{"CodeCreateUse", testCodeCreateUse},
		{"CodeExpiry", testCodeExpiry},
		{"CodeReplay", testCodeReplay},
		{"CodeUseConcurrent", testCodeUseConcurrent},
		{"CodePrune", testCodePrune},
		{"CodePruneBatches", testCodePruneBatches},
		{"OAuthCascade", testOAuthCascade},
		{"Consents", testConsents},
		{"Passkeys", testPasskeys},
		{"PasskeyUse", testPasskeyUse},
		{"WebAuthnChallenges", testWebAuthnChallenges},
		{"TOTPLifecycle", testTOTPLifecycle},
		{"TOTPStepConcurrent", testTOTPStepConcurrent},
		{"RecoveryCodes", testRecoveryCodes},
		{"SecondFactors", testSecondFactors},
		{"MFAChallenge", testMFAChallenge},
		{"SessionMFA", testSessionMFA},
		{"PruneMFAChallenges", testPruneMFAChallenges},
		{"TimeRoundTrip", testTimeRoundTrip},
		{"TimeComparison", testTimeComparison},
		{"PrefixExact", testPrefixExact},
		{"InvalidUTF8", testInvalidUTF8},
	}
	runEach(t, newStore, append(tests, rotationTests...))
}

// subtest is one conformance subtest.
type subtest struct {
	name string
	run  func(t *testing.T, s store.Store)
}

func runEach(t *testing.T, newStore func(t *testing.T) store.Store, tests []subtest) {
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.run(t, newStore(t))
		})
	}
}

// rotationTests are the subtests of Store.RotateRefresh.
var rotationTests = []subtest{
	{"RotateRefresh", testRotateRefresh},
	{"RotateRefreshAnswer", testRotateRefreshAnswer},
	{"RotateRefreshRefuses", testRotateRefreshRefuses},
	{"RotateRefreshIdle", testRotateRefreshIdle},
	{"RotateRefreshConcurrent", testRotateRefreshConcurrent},
	{"RotateRefreshManySessions", testRotateRefreshManySessions},
}

// RunRotations runs the subtests of Store.RotateRefresh only, each against
// a fresh store from newStore, for a store that can rotate in more than
// one way (Postgres's statement shared by waiting rotations).
func RunRotations(t *testing.T, newStore func(t *testing.T) store.Store) {
	runEach(t, newStore, rotationTests)
}

// t0 is the suite's "now": the store never reads the clock, so tests own
// time. It has microseconds, the precision every store keeps.
var t0 = time.Date(2030, 1, 2, 3, 4, 5, 123456000, time.UTC)

func newUser(t testing.TB) *store.User {
	t.Helper()
	id := uuid.New()
	return &store.User{
		ID:                id,
		Email:             "User-" + id.String() + "@Example.com",
		EmailNormalized:   "user-" + id.String() + "@example.com",
		PasswordHash:      "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA",
		IsActive:          true,
		CreatedAt:         t0,
		UpdatedAt:         t0,
		PasswordChangedAt: t0,
	}
}

func mustCreateUser(t testing.TB, s store.Store) *store.User {
	t.Helper()
	u := newUser(t)
	if err := s.CreateUser(t.Context(), u); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	return u
}

// newSession is a JWT session created at t0, idle for an hour, absolute
// for a day.
func newSession(userID uuid.UUID) *store.Session {
	return &store.Session{
		ID:            uuid.New(),
		UserID:        userID,
		ClientID:      store.DefaultClientID,
		Kind:          store.SessionKindJWT,
		DeviceName:    "laptop",
		UserAgent:     "storetest/1.0",
		IP:            "192.0.2.1",
		CreatedAt:     t0,
		LastUsedAt:    t0,
		IdleExpiresAt: t0.Add(time.Hour),
		ExpiresAt:     t0.Add(24 * time.Hour),
		Nonce:         randomBytes(16),
		RotatedAt:     t0,
	}
}

func mustCreateSession(t testing.TB, s store.Store, sess *store.Session) *store.Session {
	t.Helper()
	if err := s.CreateSession(t.Context(), sess); err != nil {
		t.Fatalf("CreateSession: %v", err)
	}
	return sess
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand crashes instead)
	return b
}

// wantEqual fails the test when got and want differ in any field.
func wantEqual(t testing.TB, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got  %s\n want %s", what, dump(got), dump(want))
	}
}

func dump(v any) string { return fmt.Sprintf("%+v", v) }

// wantIs fails the test unless errors.Is(err, target).
func wantIs(t testing.TB, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Errorf("%s: got error %v, want %v", what, err, target)
	}
}

// wantTime fails the test unless got is want, in UTC, to the microsecond.
func wantTime(t testing.TB, what string, got, want time.Time) {
	t.Helper()
	want = want.UTC().Truncate(time.Microsecond)
	if !got.Equal(want) || got.Location() != time.UTC {
		t.Errorf("%s: got %s (%s), want %s UTC", what, got.Format(time.RFC3339Nano), got.Location(), want.Format(time.RFC3339Nano))
	}
}

func ptr[T any](v T) *T { return &v }
