package sqlstore_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/store"
	"github.com/tessera-id/tessera/internal/store/sqlstore"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
)

var rotationT0 = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

// rotatable creates a user and a JWT session of theirs whose refresh
// digest is known, and returns the session.
func rotatable(t *testing.T, db *sqlstore.DB) *store.Session {
	t.Helper()
	ctx := t.Context()
	id := uuid.New()
	u := &store.User{
		ID: id, Email: id.String() + "@example.com", EmailNormalized: id.String() + "@example.com",
		PasswordHash: "x", IsActive: true, CreatedAt: rotationT0, UpdatedAt: rotationT0, PasswordChangedAt: rotationT0,
	}
	if err := db.CreateUser(ctx, u); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	s := &store.Session{
		ID: uuid.New(), UserID: u.ID, ClientID: store.DefaultClientID, Kind: store.SessionKindJWT,
		CreatedAt: rotationT0, LastUsedAt: rotationT0, RotatedAt: rotationT0,
		IdleExpiresAt: rotationT0.Add(time.Hour), ExpiresAt: rotationT0.Add(24 * time.Hour),
		Nonce: digest(), RefreshDigest: digest(),
	}
	if err := db.CreateSession(ctx, s); err != nil {
		t.Fatalf("CreateSession: %v", err)
	}
	return s
}

func digest() []byte {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return b
}

// rotationOf presents s's generation gen with digest d.
func rotationOf(s *store.Session, gen int64, d []byte) store.Rotation {
	return store.Rotation{
		ID: s.ID, Generation: gen, Digest: d, NextDigest: digest(),
		Now: rotationT0.Add(time.Minute), DefaultIdleTTL: time.Hour,
	}
}

type rotationAnswer struct {
	s   *store.SessionAuth
	u   *store.User
	err error
}

// rotateQueued sends rs at once while every connection is held, waits
// until all of them queue, releases the connections and returns the
// answers in rs's order.
func rotateQueued(t *testing.T, db *sqlstore.DB, rs []store.Rotation) []rotationAnswer {
	t.Helper()
	release := db.HoldConnections()
	answers := make([]rotationAnswer, len(rs))
	var wg sync.WaitGroup
	for i, r := range rs {
		wg.Go(func() {
			s, u, err := db.RotateRefresh(t.Context(), r)
			answers[i] = rotationAnswer{s, u, err}
		})
	}
	for db.QueuedRotations() < len(rs) {
		time.Sleep(time.Millisecond)
	}
	release()
	wg.Wait()
	return answers
}

// TestRotationsShareAStatement: on Postgres, rotations that wait for a
// connection run in one statement, and each gets the answer its own
// statement would have given: the one winner of two callers presenting
// the same token, a previous generation refused, every other session
// rotated and answered with its own row and user.
func TestRotationsShareAStatement(t *testing.T) {
	db := sqltest.NewPostgres(t)
	ctx := t.Context()
	var sessions []*store.Session
	for range 6 {
		sessions = append(sessions, rotatable(t, db))
	}
	twice := sessions[0]
	rs := []store.Rotation{rotationOf(twice, 0, twice.RefreshDigest), rotationOf(twice, 0, twice.RefreshDigest)}
	for _, s := range sessions[1:] {
		rs = append(rs, rotationOf(s, 0, s.RefreshDigest))
	}
	stale := sessions[1]
	rs = append(rs, rotationOf(stale, 0, digest())) // not its digest
	statements, rotated := db.RotationStats()

	answers := rotateQueued(t, db, rs)

	if n, m := db.RotationStats(); n-statements != 1 || m-rotated != int64(len(rs)) {
		t.Errorf("%d statements carried %d rotations; want 1 carrying %d", n-statements, m-rotated, len(rs))
	}
	winners := map[uuid.UUID][]byte{}
	for i, a := range answers {
		r := rs[i]
		switch {
		case a.err == nil:
			if a.s.ID != r.ID || a.u == nil || a.u.ID != a.s.UserID {
				t.Errorf("rotation %d of session %v answered session %+v, user %+v", i, r.ID, a.s, a.u)
			}
			if _, dup := winners[r.ID]; dup {
				t.Errorf("session %v rotated twice", r.ID)
			}
			winners[r.ID] = r.NextDigest
			if want := r.Now.Add(time.Hour); !a.s.IdleExpiresAt.Equal(want) {
				t.Errorf("rotation %d: idle expiry %v, want %v", i, a.s.IdleExpiresAt, want)
			}
		case errors.Is(a.err, store.ErrStale):
		default:
			t.Errorf("rotation %d: %v", i, a.err)
		}
	}
	if errors.Is(answers[len(rs)-1].err, store.ErrStale) == false {
		t.Errorf("a wrong digest was answered %+v, want ErrStale", answers[len(rs)-1])
	}
	for _, s := range sessions {
		next, ok := winners[s.ID]
		stored, err := db.GetSession(ctx, s.ID)
		if !ok || err != nil || stored.Generation != 1 || !bytes.Equal(stored.RefreshDigest, next) {
			t.Errorf("session %v: winner %v, stored %+v, %v; want generation 1 with the winner's digest", s.ID, ok, stored, err)
		}
	}
}

// TestRotationsFailAlone: when the shared statement fails, each of its
// rotations runs again alone, so only the one that caused the failure
// fails.
func TestRotationsFailAlone(t *testing.T) {
	db := sqltest.NewPostgres(t)
	a, b := rotatable(t, db), rotatable(t, db)
	bad := rotationOf(b, 0, b.RefreshDigest)
	bad.ClientID = "web\x00" // text Postgres refuses
	rs := []store.Rotation{rotationOf(a, 0, a.RefreshDigest), bad}
	statements, rotated := db.RotationStats()

	answers := rotateQueued(t, db, rs)

	if answers[0].err != nil || answers[0].s.ID != a.ID {
		t.Errorf("the good rotation answered %+v", answers[0])
	}
	if answers[1].err == nil || errors.Is(answers[1].err, store.ErrStale) {
		t.Errorf("the bad rotation answered %v, want the database's refusal", answers[1].err)
	}
	// One shared statement, then one alone for each.
	if n, m := db.RotationStats(); n-statements != 3 || m-rotated != 4 {
		t.Errorf("%d statements carried %d rotations; want 3 carrying 4", n-statements, m-rotated)
	}
	if s, err := db.GetSession(t.Context(), b.ID); err != nil || s.Generation != 0 {
		t.Errorf("the refused session: %+v, %v; want generation 0", s, err)
	}
}

// TestRotationGivesUp: a rotation whose context ends while it waits for a
// connection leaves the queue and rotates nothing; a time the database
// cannot store is refused before it queues.
func TestRotationGivesUp(t *testing.T) {
	db := sqltest.NewPostgres(t)
	s := rotatable(t, db)
	release := db.HoldConnections()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error)
	go func() {
		_, _, err := db.RotateRefresh(ctx, rotationOf(s, 0, s.RefreshDigest))
		done <- err
	}()
	for db.QueuedRotations() < 1 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("RotateRefresh whose context ended: %v, want context.Canceled", err)
	}
	if n := db.QueuedRotations(); n != 0 {
		t.Errorf("%d rotations still queued", n)
	}
	far := rotationOf(s, 0, s.RefreshDigest)
	far.Now = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	if _, _, err := db.RotateRefresh(t.Context(), far); err == nil || db.QueuedRotations() != 0 {
		t.Errorf("RotateRefresh in the year 10000: %v, %d queued; want an error and none", err, db.QueuedRotations())
	}
	release()
	if got, err := db.GetSession(t.Context(), s.ID); err != nil || got.Generation != 0 {
		t.Errorf("session after the rotation gave up: %+v, %v; want generation 0", got, err)
	}
}

// TestSharedRotationFindsSessionsByID: the shared statement reads sessions
// through their primary key whatever the statistics say. Here nine in ten
// sessions are revoked when the table is analyzed, so an index on the
// revocation would look a good path; for a table that then grows with live
// sessions it reads all of them.
func TestSharedRotationFindsSessionsByID(t *testing.T) {
	db := sqltest.NewPostgres(t)
	ctx := t.Context()
	for i := range 40 {
		s := rotatable(t, db)
		if i%10 != 0 {
			if err := db.RevokeSession(ctx, s.ID, rotationT0, "logout"); err != nil {
				t.Fatal(err)
			}
		}
	}
	conn, err := db.Writer().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, q := range []string{
		`ANALYZE sessions`, `ANALYZE users`,
		// The table grows, live, after its statistics were taken.
		`INSERT INTO sessions (id, user_id, client_id, kind, created_at, last_used_at, idle_expires_at,
			expires_at, nonce, rotated_at)
			SELECT gen_random_uuid(), (SELECT min(user_id::text)::uuid FROM sessions), 'default', 'jwt', now(), now(),
				now() + interval '1 day', now() + interval '2 days', '\x00', now()
			FROM generate_series(1, 50000)`,
		`SET plan_cache_mode = force_generic_plan`,
		`PREPARE shared AS ` + sqlstore.RotateBatchQuery(3600),
	} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	rows, err := conn.QueryContext(ctx, `EXPLAIN EXECUTE shared('{}', '{}', '{}', '{}', '{}', '{}', '{}')`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan strings.Builder
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatal(err)
		}
		plan.WriteString(line + "\n")
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if p := plan.String(); !strings.Contains(p, "sessions_pkey") || strings.Contains(p, "sessions_revoked_at_idx") {
		t.Errorf("the shared rotation does not read sessions by id:\n%s", p)
	}
}
