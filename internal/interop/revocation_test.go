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
