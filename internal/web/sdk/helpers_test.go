package sdk_test

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/tessera-id/tessera/internal/browsertest"
)

const password = "tessera-browser-pw-1"

var accounts atomic.Int64

// user is what the client answers for a user.
type user struct {
	ID    string `json:"id"`
	Email string `json:"email"`
}

// change is one call of onChange, as the test page records it.
type change struct {
	Email  *string `json:"email"`
	Reason string  `json:"reason"`
}

// register creates a new account from the tab's page and returns it.
func register(t *testing.T, tab *browsertest.Tab) user {
	t.Helper()
	email := fmt.Sprintf("person%d@example.com", accounts.Add(1))
	browsertest.Eval[any](tab, "window.ready")
	u := browsertest.Eval[user](tab, fmt.Sprintf(`t.register({email: %q, password: %q})`, email, password))
	if u.Email != email || u.ID == "" {
		t.Fatalf("register answered %+v", u)
	}
	return u
}

// currentUser is t.user() in the tab; nil when it answers null.
func currentUser(t *testing.T, tab *browsertest.Tab) *user {
	t.Helper()
	return browsertest.Eval[*user](tab, "t.user()")
}

func changes(t *testing.T, tab *browsertest.Tab) []change {
	t.Helper()
	return browsertest.Eval[[]change](tab, "window.changes")
}

// session is the stored state of a user's newest session, and how many
// of the user's sessions are live.
type session struct {
	Generation int64
	Revoked    bool
	Live       int
}

func sessionOf(t *testing.T, d *browsertest.Deployment, userID string) session {
	t.Helper()
	rows, err := d.Tessera.DB.SQL().Query(`SELECT generation, revoked_at FROM sessions WHERE user_id = ? ORDER BY created_at DESC, id DESC`, userID)
	if err != nil {
		t.Fatalf("sessions: %v", err)
	}
	defer rows.Close()
	var s session
	for n := 0; rows.Next(); n++ {
		var gen int64
		var revoked sql.NullString
		if err := rows.Scan(&gen, &revoked); err != nil {
			t.Fatalf("scan: %v", err)
		}
		if n == 0 {
			s.Generation, s.Revoked = gen, revoked.Valid
		}
		if !revoked.Valid {
			s.Live++
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("sessions: %v", err)
	}
	return s
}

// auditCount counts the audit events of a kind.
func auditCount(t *testing.T, d *browsertest.Deployment, event string) int {
	t.Helper()
	var n int
	if err := d.Tessera.DB.SQL().Get(&n, `SELECT count(*) FROM audit_events WHERE event = ?`, event); err != nil {
		t.Fatalf("audit: %v", err)
	}
	return n
}

// js quotes s as a JavaScript string literal.
func js(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func cookieNames(cookies string) []string {
	var names []string
	for _, c := range strings.Split(cookies, ";") {
		if name, _, ok := strings.Cut(strings.TrimSpace(c), "="); ok {
			names = append(names, name)
		}
	}
	return names
}
