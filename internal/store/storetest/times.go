package storetest

import (
	"testing"
	"time"

	"github.com/tessera-id/tessera/internal/store"
)

// testTimeRoundTrip checks that every time comes back as the same instant,
// in UTC, truncated to the microsecond, whatever zone and precision it was
// written with, from year 1 to year 9999.
func testTimeRoundTrip(t *testing.T, s store.Store) {
	ctx := t.Context()
	india := time.FixedZone("IST", 5*3600+1800)
	times := map[string]time.Time{
		"CreatedAt":         time.Date(2030, 1, 2, 8, 34, 5, 123456789, india),
		"UpdatedAt":         time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
		"PasswordChangedAt": {},
		"EmailVerifiedAt":   time.Date(1969, 7, 20, 20, 17, 40, 1000, time.UTC),
		"LastLoginAt":       time.Date(1, 1, 1, 0, 0, 0, 1000, time.UTC),
		"LockedUntil":       time.Now(), // local zone, monotonic reading
	}
	u := newUser(t)
	u.CreatedAt, u.UpdatedAt, u.PasswordChangedAt = times["CreatedAt"], times["UpdatedAt"], times["PasswordChangedAt"]
	u.EmailVerifiedAt, u.LastLoginAt, u.LockedUntil = ptr(times["EmailVerifiedAt"]), ptr(times["LastLoginAt"]), ptr(times["LockedUntil"])
	if err := s.CreateUser(ctx, u); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	got, err := s.GetUser(ctx, u.ID)
	if err != nil {
		t.Fatalf("GetUser: %v", err)
	}
	wantEqual(t, "GetUser", got, u)
	for name, read := range map[string]time.Time{
		"CreatedAt": got.CreatedAt, "UpdatedAt": got.UpdatedAt, "PasswordChangedAt": got.PasswordChangedAt,
		"EmailVerifiedAt": *got.EmailVerifiedAt, "LastLoginAt": *got.LastLoginAt, "LockedUntil": *got.LockedUntil,
	} {
		wantTime(t, name, read, times[name])
	}

	sess := mustCreateSession(t, s, newSession(u.ID))
	now := t0.Add(time.Minute + 999*time.Nanosecond).In(india)
	rotated, err := s.RotateSession(ctx, sess.ID, 0, now, now.Add(time.Hour))
	if err != nil {
		t.Fatalf("RotateSession: %v", err)
	}
	wantTime(t, "RotatedAt", rotated.RotatedAt, now)
	wantTime(t, "LastUsedAt", rotated.LastUsedAt, now)
	wantTime(t, "IdleExpiresAt", rotated.IdleExpiresAt, now.Add(time.Hour))
}

// testTimeComparison checks that the store compares and orders times as
// instants, not as text: boundaries to the microsecond, "now" given in a
// far-off zone, fractions of different lengths.
func testTimeComparison(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := mustCreateUser(t, s)
	kiribati, samoa := time.FixedZone("LINT", 14*3600), time.FixedZone("SST", -11*3600)
	now := t0.Add(500 * time.Millisecond)
	mk := func(created, idle time.Time) *store.Session {
		sess := newSession(u.ID)
		sess.CreatedAt, sess.IdleExpiresAt = created, idle
		return mustCreateSession(t, s, sess)
	}
	justAfter := mk(t0.In(samoa), now.Add(time.Microsecond).In(kiribati))
	mk(t0.Add(time.Second), now)                          // expires exactly now
	mk(t0.Add(2*time.Second), now.Add(-time.Microsecond)) // expired a microsecond ago
	whole := mk(t0.Add(100*time.Millisecond).In(kiribati), t0.Add(time.Second).Truncate(time.Second))
	tenth := mk(t0.Add(90*time.Millisecond), now.Add(24*time.Hour).In(samoa))

	got, err := s.ListUserSessions(ctx, u.ID, now.In(kiribati))
	if err != nil {
		t.Fatalf("ListUserSessions: %v", err)
	}
	wantEqual(t, "ListUserSessions", got, []store.Session{*whole, *tenth, *justAfter})
}
