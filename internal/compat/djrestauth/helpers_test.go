package djrestauth_test

import (
	"encoding/json"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/tessera-id/tessera/internal/config"
	"github.com/tessera-id/tessera/internal/mail"
	"github.com/tessera-id/tessera/internal/server/servertest"
	"github.com/tessera-id/tessera/internal/store/sqlstore"
)

// pw is a password Tessera's policy accepts.
const pw = "correct horse battery staple"

// compatServer is a Tessera with the dj-rest-auth routes on, its mail in
// an Outbox, and the values saved by the steps run so far.
type compatServer struct {
	*servertest.TestServer
	out  *mail.Outbox
	base string
	vars map[string]string
}

// start runs Tessera over db with TESSERA_COMPAT=dj-rest-auth in mode
// ("token" or "jwt"), then mutate.
func start(t *testing.T, db *sqlstore.DB, mode string, mutate ...func(*config.Config)) *compatServer {
	t.Helper()
	out := mail.NewOutbox()
	ts := servertest.StartWith(t, db, servertest.Options{Mailer: out, Mutate: func(c *config.Config) {
		c.Compat, c.CompatToken = "dj-rest-auth", mode
		for _, m := range mutate {
			m(c)
		}
	}})
	return &compatServer{TestServer: ts, out: out, base: ts.Config.CompatPath, vars: map[string]string{}}
}

// step is one real request. Strings in path, body, headers and want may
// hold {name} placeholders filled from values saved by earlier steps; a
// path starting with "/" is absolute, any other is under the mount path.
type step struct {
	name    string
	method  string
	path    string
	body    any // JSON unless a string (then sent with the headers given)
	headers []string
	status  int
	// want is the exact JSON body, compared as values ("" skips it).
	want string
	// has lists top-level members that must be non-empty strings.
	has []string
	// header maps a response header to its exact value.
	header map[string]string
	// save maps a placeholder to a top-level string member of the answer.
	save map[string]string
}

var placeholder = regexp.MustCompile(`\{[a-z0-9_]+\}`)

func (cs *compatServer) expand(t *testing.T, s string) string {
	t.Helper()
	return placeholder.ReplaceAllStringFunc(s, func(m string) string {
		v, ok := cs.vars[m[1:len(m)-1]]
		if !ok {
			t.Fatalf("placeholder %s has no value (an earlier step failed?)", m)
		}
		return v
	})
}

func (cs *compatServer) run(t *testing.T, steps []step) {
	t.Helper()
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) { cs.step(t, s) })
	}
}

func (cs *compatServer) step(t *testing.T, s step) *servertest.Response {
	t.Helper()
	var body any
	switch b := s.body.(type) {
	case nil:
	case string:
		body = cs.expand(t, b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		body = []byte(cs.expand(t, string(data)))
	}
	headers := make([]string, len(s.headers))
	for i, h := range s.headers {
		headers[i] = cs.expand(t, h)
	}
	path := s.path
	if !strings.HasPrefix(path, "/") {
		path = cs.base + path
	}
	r := cs.NewClient(t).Do(s.method, cs.expand(t, path), body, headers...)
	if r.StatusCode != s.status {
		t.Errorf("status %d, want %d; body %s", r.StatusCode, s.status, r.Body)
	}
	for name, from := range s.save {
		v, _ := r.JSON()[from].(string)
		if v == "" {
			t.Fatalf("answer has no %q to save: %s", from, r.Body)
		}
		cs.vars[name] = v
	}
	if s.want != "" {
		var got, want any
		if err := json.Unmarshal(r.Body, &got); err != nil {
			t.Fatalf("answer is not JSON: %s", r.Body)
		}
		if err := json.Unmarshal([]byte(cs.expand(t, s.want)), &want); err != nil {
			t.Fatalf("want is not JSON: %s", s.want)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("body %s\nwant %s", r.Body, cs.expand(t, s.want))
		}
	}
	for _, k := range s.has {
		if v, _ := r.JSON()[k].(string); v == "" {
			t.Errorf("answer has no %q: %s", k, r.Body)
		}
	}
	for k, v := range s.header {
		if got := r.Header.Get(k); got != v {
			t.Errorf("header %s = %q, want %q", k, got, v)
		}
	}
	return r
}

var linkRE = regexp.MustCompile(`https?://\S+`)

// mailQuery returns the query of the link in the newest mail of kind to
// address to.
func (cs *compatServer) mailQuery(t *testing.T, to, kind string) url.Values {
	t.Helper()
	cs.FlushMail(t)
	m, ok := cs.out.LastOf(to, kind)
	if !ok {
		t.Fatalf("no %q mail to %s among %d", kind, to, len(cs.out.To(to)))
	}
	u, err := url.Parse(linkRE.FindString(m.Text))
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}
