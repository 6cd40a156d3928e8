package interop_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/tessera-id/tessera/internal/auth"
	"github.com/tessera-id/tessera/internal/server/servertest"
	"github.com/tessera-id/tessera/pkg/jwtverify"
)

// watching returns a verifier of ts with a revocation watcher that polls
// only when the test says so.
func watching(t *testing.T, ts *servertest.TestServer) (*jwtverify.Verifier, *jwtverify.RevocationWatcher) {
	t.Helper()
	v := fromIssuer(t, ts, jwtverify.WithRevocationWatcher(jwtverify.WithPollInterval(time.Hour)))
	w := v.RevocationWatcher()
	if w == nil {
		t.Fatal("FromIssuer with WithRevocationWatcher returned no watcher")
	}
	return v, w
}

// TestRevocationReachesVerifier: device B revokes device A (DELETE
// /v1/auth/sessions/{id}); after one poll of the feed, a resource server
// rejects A's still-unexpired access token with ErrRevoked and keeps
// accepting B's.
func TestRevocationReachesVerifier(t *testing.T) {
	ts := startTessera(t, "ES256")
	register(t, ts, "ada@example.com")
	a := login(t, ts, "ada@example.com", "laptop")
	b := login(t, ts, "ada@example.com", "phone")
	v, w := watching(t, ts)
	mustVerify(t, v, a.token(), "A before the revocation")
	mustVerify(t, v, b.token(), "B before the revocation")

	b.c.Do("DELETE", "/v1/auth/sessions/"+a.sessionID(), nil, b.bearer()).Want(t, http.StatusNoContent)
	ts.Clock.Advance(time.Second) // time passes between a revocation and the next poll
	if err := w.Poll(context.Background()); err != nil {
		t.Fatalf("Poll: %v", err)
	}
	mustFail(t, v, a.token(), jwtverify.ErrRevoked, "A after one poll")
	mustVerify(t, v, b.token(), "B after A's revocation")

	// A verifier started afterwards learns it from its first poll.
	late, _ := watching(t, ts)
	mustFail(t, late, a.token(), jwtverify.ErrRevoked, "A, verifier started after the revocation")
}

// TestAdminRevocationReachesVerifier: the same through an admin revoking a
// device (DELETE /v1/admin/sessions/{id}) and logging a user out
// everywhere, with the feed's cursor carried between polls.
func TestAdminRevocationReachesVerifier(t *testing.T) {
	ts := startTessera(t, "ES256")
	admin := newAdmin(t, ts, "root@example.com")
	register(t, ts, "ada@example.com")
	register(t, ts, "bob@example.com")
	a1, a2 := login(t, ts, "ada@example.com", "laptop"), login(t, ts, "ada@example.com", "phone")
	bob := login(t, ts, "bob@example.com", "laptop")
	v, w := watching(t, ts)

	admin.c.Do("DELETE", "/v1/admin/sessions/"+a1.sessionID(), nil, admin.bearer()).Want(t, http.StatusNoContent)
	ts.Clock.Advance(time.Second) // time passes between a revocation and the next poll
	if err := w.Poll(context.Background()); err != nil {
		t.Fatal(err)
	}
	mustFail(t, v, a1.token(), jwtverify.ErrRevoked, "admin-revoked device")
	mustVerify(t, v, a2.token(), "the user's other device")

	uid := a2.login.JSON()["user"].(map[string]any)["id"].(string)
	admin.c.Do("POST", "/v1/admin/users/"+uid+"/logout", nil, admin.bearer()).Want(t, http.StatusOK)
	ts.Clock.Advance(time.Second) // time passes between a revocation and the next poll
	if err := w.Poll(context.Background()); err != nil {
		t.Fatal(err)
	}
	mustFail(t, v, a2.token(), jwtverify.ErrRevoked, "after the admin logged the user out everywhere")
	mustVerify(t, v, bob.token(), "another user")
}

// TestDeletionReachesVerifier: deleting a user and deleting a client take
// their sessions out of the database, but not out of the feed: after one
// poll a watching verifier refuses the still-unexpired access tokens of
// both, including a session revoked before the deletion, and keeps
// accepting everyone else's.
func TestDeletionReachesVerifier(t *testing.T) {
	ts := startTessera(t, "ES256")
	admin := newAdmin(t, ts, "root@example.com")
	admin.c.Do("POST", "/v1/admin/clients", map[string]any{"client_id": "kiosk", "name": "Kiosk",
		"access_ttl_seconds": 600}, admin.bearer()).Want(t, http.StatusCreated)
	register(t, ts, "ada@example.com")
	register(t, ts, "bob@example.com")
	ada1, ada2 := login(t, ts, "ada@example.com", "laptop"), login(t, ts, "ada@example.com", "phone")
	bob := login(t, ts, "bob@example.com", "laptop")
	kc := ts.NewClient(t)
	kiosk := &device{c: kc, login: kc.Do("POST", "/v1/auth/login", map[string]any{"email": "bob@example.com",
		"password": testPassword, "client_id": "kiosk", "device_name": "lobby"}).Want(t, http.StatusOK)}
	v, w := watching(t, ts)
	for _, d := range []*device{ada1, ada2, bob, kiosk} {
		mustVerify(t, v, d.token(), "before the deletions")
	}
	// One of ada's devices logs out first: its feed entry must survive the
	// deletion of its row too.
	ada2.c.Do("POST", "/v1/auth/logout", map[string]any{}, ada2.bearer()).Want(t, http.StatusNoContent)
	ts.Clock.Advance(time.Second)

	uid := ada1.login.JSON()["user"].(map[string]any)["id"].(string)
	admin.c.Do("DELETE", "/v1/admin/users/"+uid, nil, admin.bearer()).Want(t, http.StatusNoContent)
	admin.c.Do("DELETE", "/v1/admin/clients/kiosk", nil, admin.bearer()).Want(t, http.StatusNoContent)
	ts.Clock.Advance(time.Second) // time passes between the deletions and the next poll
	if err := w.Poll(context.Background()); err != nil {
		t.Fatalf("Poll: %v", err)
	}
	mustFail(t, v, ada1.token(), jwtverify.ErrRevoked, "deleted user's device")
	mustFail(t, v, ada2.token(), jwtverify.ErrRevoked, "deleted user's device, logged out before")
	mustFail(t, v, kiosk.token(), jwtverify.ErrRevoked, "deleted client's device")
	mustVerify(t, v, bob.token(), "the same user on another client")

	late, _ := watching(t, ts)
	mustFail(t, late, ada1.token(), jwtverify.ErrRevoked, "deleted user, verifier started afterwards")
	mustFail(t, late, kiosk.token(), jwtverify.ErrRevoked, "deleted client, verifier started afterwards")
}

// newAdmin creates an admin as `tessera users create --admin` does and
// logs it in.
func newAdmin(t *testing.T, ts *servertest.TestServer, email string) *device {
	t.Helper()
	_, err := ts.Auth.AdminCreateUser(t.Context(), auth.Actor{Operator: "test"},
		auth.CreateUserInput{Email: email, Password: testPassword, IsAdmin: true, EmailVerified: true})
	if err != nil {
		t.Fatalf("create admin: %v", err)
	}
	return login(t, ts, email, "admin console")
}
