package storetest

import (
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/store"
)

// testSessionAndUser: one read returns exactly what the two separate reads
// return.
func testSessionAndUser(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := mustCreateUser(t, s)
	sess := mustCreateSession(t, s, newSession(u.ID))
	gotS, gotU, err := s.GetSessionAndUser(ctx, sess.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantS, _ := s.GetSession(ctx, sess.ID)
	wantU, _ := s.GetUser(ctx, u.ID)
	wantEqual(t, "session", gotS, wantS)
	wantEqual(t, "user", gotU, wantU)
	if _, _, err := s.GetSessionAndUser(ctx, uuid.New()); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown session: %v, want ErrNotFound", err)
	}
}

// testSessionAuthAndUser: the narrow read used to authenticate requests
// returns exactly the SessionAuth of the whole session (every field of it
// set, then once revoked) and the same user as the whole read.
func testSessionAuthAndUser(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := mustCreateUser(t, s)
	sess := authSession(u.ID)
	mustCreateSession(t, s, sess)

	check := func(label string) {
		t.Helper()
		gotA, gotU, err := s.GetSessionAuthAndUser(ctx, sess.ID)
		if err != nil {
			t.Fatalf("%s: %v", label, err)
		}
		wantS, wantU, err := s.GetSessionAndUser(ctx, sess.ID)
		if err != nil {
			t.Fatalf("%s: %v", label, err)
		}
		wantEqual(t, label+" session", gotA, wantS.Auth())
		wantEqual(t, label+" user", gotU, wantU)
	}
	check("active")
	if err := s.RevokeSession(ctx, sess.ID, t0.Add(time.Minute), "logout"); err != nil {
		t.Fatal(err)
	}
	check("revoked")
	a, _, err := s.GetSessionAuthAndUser(ctx, sess.ID)
	if err != nil || a.ActiveAt(t0) {
		t.Fatalf("revoked session read as active: %+v, %v", a, err)
	}
	// Every field is set by now, so one the read or Auth left out shows.
	wantFieldsSet(t, "GetSessionAuthAndUser", *a)
	if _, _, err := s.GetSessionAuthAndUser(ctx, uuid.New()); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown session: %v, want ErrNotFound", err)
	}
}

// authSession is newSession with every field of its SessionAuth set but
// RevokedAt: a code-flow session after a second factor, with scopes.
func authSession(userID uuid.UUID) *store.Session {
	sess := newSession(userID)
	authAt, mfaAt := t0.Add(-time.Minute), t0.Add(-time.Second)
	sess.AuthTime, sess.MFAAt = &authAt, &mfaAt
	sess.AMR, sess.Scope = []string{"pwd", "otp"}, []string{"openid", "profile"}
	return sess
}

// wantFieldsSet fails for each field of the struct v that holds its zero
// value, except those named in except: a field a read left out.
func wantFieldsSet(t *testing.T, label string, v any, except ...string) {
	t.Helper()
	rv := reflect.ValueOf(v)
	for i := range rv.NumField() {
		if name := rv.Type().Field(i).Name; !slices.Contains(except, name) && rv.Field(i).IsZero() {
			t.Errorf("%s left %s.%s unread", label, rv.Type().Name(), name)
		}
	}
}
