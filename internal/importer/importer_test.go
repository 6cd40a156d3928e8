package importer_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/tessera-id/tessera/internal/auth"
	"github.com/tessera-id/tessera/internal/importer"
)

// countingSink accepts everything and keeps only counts, so that a test
// measures the reader's memory alone.
type countingSink struct {
	users, tokens, addresses int
	last                     auth.ImportedUser
	every                    func()
}

func (s *countingSink) ImportUser(_ context.Context, in auth.ImportedUser, _ auth.ImportOptions) (auth.ImportResult, error) {
	s.users++
	s.last = in
	if s.every != nil && s.users%5_000 == 0 {
		s.every()
	}
	return auth.ImportResult{Outcome: auth.ImportCreated}, nil
}

func (s *countingSink) ImportClassicToken(context.Context, auth.ImportRef, string, time.Time, auth.ImportOptions) (auth.ImportResult, error) {
	s.tokens++
	return auth.ImportResult{Outcome: auth.ImportCreated}, nil
}

func (s *countingSink) ImportEmailAddress(context.Context, auth.ImportRef, string, bool, auth.ImportOptions) (auth.ImportResult, error) {
	s.addresses++
	return auth.ImportResult{Outcome: auth.ImportUpdated}, nil
}

// writeDump writes a dumpdata file of n users (each with a token and an
// address, the groups last) and returns its path and size.
func writeDump(tb testing.TB, n int) (string, int64) {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "dump.json")
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriter(f)
	w.WriteString("[\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(w, `{"model": "auth.user", "pk": %d, "fields": {"password": "pbkdf2_sha256$870000$salt%d$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g=", "last_login": "2024-01-02T03:04:05.678Z", "is_superuser": false, "username": "user%d", "first_name": "First", "last_name": "Last", "email": "user%d@example.com", "is_staff": %v, "is_active": true, "date_joined": "2020-01-02T03:04:05Z", "groups": [1, 2], "user_permissions": []}},`+"\n",
			i, i, i, i, i%2 == 0)
		fmt.Fprintf(w, `{"model": "authtoken.token", "pk": "%040x", "fields": {"user": %d, "created": "2021-01-01T00:00:00Z"}},`+"\n", i, i)
		fmt.Fprintf(w, `{"model": "account.emailaddress", "pk": %d, "fields": {"user": %d, "email": "user%d@example.com", "verified": true, "primary": true}},`+"\n", i, i, i)
	}
	w.WriteString(`{"model": "auth.group", "pk": 1, "fields": {"name": "editors", "permissions": []}},` + "\n")
	w.WriteString(`{"model": "auth.group", "pk": 2, "fields": {"name": "billing", "permissions": []}}` + "\n]\n")
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	fi, _ := f.Stat()
	f.Close()
	return path, fi.Size()
}

// TestDjangoStreamsInBoundedMemory: importing a dump of 15,000 users keeps
// the live heap (measured after a collection, every 5,000 users) under a
// tenth of the file's size: nothing per user is held. Groups listed after
// the users still resolve, and staff do not become admins by default.
func TestDjangoStreamsInBoundedMemory(t *testing.T) {
	path, size := writeDump(t, 15_000)
	var peak uint64
	sink := &countingSink{every: func() {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		peak = max(peak, m.HeapAlloc)
	}}
	var lastProgress, total int64
	rep, err := importer.Django(t.Context(), path, sink, importer.Options{
		Progress: func(done, all int64) { lastProgress, total = done, all }})
	if err != nil {
		t.Fatal(err)
	}
	if sink.users != 15_000 || sink.tokens != 15_000 || sink.addresses != 15_000 || rep.Users.Created != 15_000 {
		t.Fatalf("users %d, tokens %d, addresses %d, report %+v", sink.users, sink.tokens, sink.addresses, rep.Users)
	}
	if strings.Join(sink.last.Groups, ",") != "editors,billing" || sink.last.IsAdmin {
		t.Fatalf("last user = %+v", sink.last)
	}
	if lastProgress != total || total != 3*size {
		t.Fatalf("progress %d of %d, file %d", lastProgress, total, size)
	}
	if peak == 0 || peak > uint64(size)/10 {
		t.Fatalf("live heap peaked at %d bytes for a %d-byte dump", peak, size)
	}
	t.Logf("dump %d bytes, live heap peak %d bytes", size, peak)
}

// BenchmarkDjangoImportReader reads a 100,000-user dump (three passes)
// into a counting sink and reports the peak live heap.
func BenchmarkDjangoImportReader(b *testing.B) {
	path, size := writeDump(b, 100_000)
	b.SetBytes(size)
	var peak uint64
	for b.Loop() {
		sink := &countingSink{every: func() {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			peak = max(peak, m.HeapAlloc)
		}}
		if _, err := importer.Django(context.Background(), path, sink, importer.Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
}

// TestJSONLines: the generic form's fields, defaults, and a skip for a
// line with an unknown field; a syntax error stops the import.
func TestJSONLines(t *testing.T) {
	in := `{"external_id": "auth0|1", "email": "a@example.com", "username": "a", "first_name": "A", "last_name": "B",
  "password_hash": "$2b$10$abc", "email_verified": true, "created_at": "2020-01-02T03:04:05Z",
  "last_login_at": "2024-01-02T03:04:05.5+02:00", "roles": ["admin", "billing"]}
{"external_id": "supabase:2", "email": "b@example.com", "is_active": false}
{"external_id": "x:3", "email": "c@example.com", "password": "plaintext"}
`
	sink := &countingSink{}
	rep, err := importer.JSONLines(t.Context(), strings.NewReader(in), int64(len(in)), sink, importer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if sink.users != 2 || rep.Users.Created != 2 || rep.Users.Skipped != 1 ||
		!strings.Contains(rep.Skips[0].Reason, `unknown field "password"`) || rep.Skips[0].Ref != "record 3" {
		t.Fatalf("report %+v", rep)
	}
	if sink.last.ExternalID != "supabase:2" || sink.last.IsActive {
		t.Fatalf("is_active false ignored: %+v", sink.last)
	}
	sink = &countingSink{}
	if _, err := importer.JSONLines(t.Context(), strings.NewReader(in[:strings.Index(in, "\n{")]), 0, sink, importer.Options{}); err != nil {
		t.Fatal(err)
	}
	u := sink.last
	if !u.IsAdmin || !u.IsActive || !u.EmailVerified || u.PasswordHash != "$2b$10$abc" || u.FirstName != "A" ||
		!u.CreatedAt.Equal(time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)) ||
		!u.LastLoginAt.Equal(time.Date(2024, 1, 2, 1, 4, 5, 500_000_000, time.UTC)) {
		t.Fatalf("mapped user = %+v", u)
	}
	if _, err := importer.JSONLines(t.Context(), strings.NewReader(`{"email": "x@example.com"} {"email": `), 0,
		&countingSink{}, importer.Options{}); err == nil || !strings.Contains(err.Error(), "record 2") {
		t.Fatalf("truncated input: %v", err)
	}
}
