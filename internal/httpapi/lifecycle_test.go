package httpapi_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/config"
	"github.com/tessera-id/tessera/internal/mail"
	"github.com/tessera-id/tessera/internal/server/servertest"
	"github.com/tessera-id/tessera/internal/store/sqlstore"
)

// lcFrontend is the front-end of the lifecycle tests: on its own domain,
// under a path, so links that use the API's Host or drop the path show.
const lcFrontend = "https://app.example.com/account"

// lcServer is a test server whose mail lands in an Outbox.
type lcServer struct {
	*servertest.TestServer
	out *mail.Outbox
}

func startLifecycle(t *testing.T, db *sqlstore.DB, verification string, mutate ...func(*config.Config)) *lcServer {
	t.Helper()
	out := mail.NewOutbox()
	ts := servertest.StartWith(t, db, servertest.Options{Mailer: out, Mutate: func(c *config.Config) {
		c.EmailVerification = verification
		c.FrontendURL = lcFrontend
		for _, m := range mutate {
			m(c)
		}
	}})
	return &lcServer{TestServer: ts, out: out}
}

// lastMail waits for the mail queue and returns the newest message of the
// template kind sent to to (see mail.Outbox.LastOf).
func (ls *lcServer) lastMail(t *testing.T, to, kind string) mail.Message {
	t.Helper()
	ls.FlushMail(t)
	m, ok := ls.out.LastOf(to, kind)
	if !ok {
		t.Fatalf("no %q mail to %s; outbox: %+v", kind, to, ls.out.To(to))
	}
	return m
}

// mailCount waits for the mail queue and counts the messages to to.
func (ls *lcServer) mailCount(t *testing.T, to string) int {
	t.Helper()
	ls.FlushMail(t)
	return len(ls.out.To(to))
}

var linkRE = regexp.MustCompile(`https?://\S+`)

// linkQuery finds the link of m, checks that it is lcFrontend+path in the
// text and the HTML alike, and returns its query.
func linkQuery(t *testing.T, m mail.Message, path string) url.Values {
	t.Helper()
	raw := linkRE.FindString(m.Text)
	if !strings.HasPrefix(raw, lcFrontend+path+"?") {
		t.Fatalf("link %q is not on %s%s:\n%s", raw, lcFrontend, path, m.Text)
	}
	if !strings.Contains(m.HTML, `href="`+strings.ReplaceAll(raw, "&", "&amp;")+`"`) {
		t.Fatalf("the HTML body does not link to %s:\n%s", raw, m.HTML)
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}

func detail(t *testing.T, r *servertest.Response, status int, want string) {
	t.Helper()
	r.Want(t, status)
	if got := r.JSON(); len(got) != 1 || got["detail"] != want {
		t.Fatalf("body %s, want exactly {\"detail\": %q}", r.Body, want)
	}
}

// auditEvents returns the events of the user named by email, newest first.
func auditEvents(t *testing.T, ts *servertest.TestServer, email string) []string {
	t.Helper()
	u, err := ts.DB.GetUserByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	list, err := ts.DB.ListAuditEvents(context.Background(), &u.ID, 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range list {
		out = append(out, e.Event)
	}
	return out
}

func wantEvents(t *testing.T, ts *servertest.TestServer, email string, events ...string) {
	t.Helper()
	got := auditEvents(t, ts, email)
	for _, e := range events {
		found := false
		for _, g := range got {
			found = found || g == e
		}
		if !found {
			t.Errorf("audit of %s lacks %q: %v", email, e, got)
		}
	}
}

func classicToken(t *testing.T, c *servertest.Client, email, pw string) string {
	t.Helper()
	r := c.Do("POST", "/v1/auth/token", map[string]any{"email": email, "password": pw}).Want(t, http.StatusOK)
	return "Authorization: Token " + r.Str("token")
}

func userID(t *testing.T, ts *servertest.TestServer, email string) uuid.UUID {
	t.Helper()
	u, err := ts.DB.GetUserByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

// lcNoPlainSecret fails if secret appears in any column of the tables the
// account flows write: the database keeps digests only.
func lcNoPlainSecret(t *testing.T, db *sqlstore.DB, secret string) {
	t.Helper()
	for _, table := range []string{"one_time_tokens", "users", "audit_events"} {
		rows, err := db.SQL().Queryx("SELECT * FROM " + table)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			vals, err := rows.SliceScan()
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range vals {
				s, _ := v.(string)
				if b, ok := v.([]byte); ok {
					s = string(b)
				}
				if strings.Contains(s, secret) {
					rows.Close()
					t.Fatalf("table %s stores the secret in plain text", table)
				}
			}
		}
		rows.Close()
	}
}
