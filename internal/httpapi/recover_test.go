package httpapi

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/tessera-id/tessera/internal/config"
)

// TestPanicIsRecovered: a panic in a handler reaches the client as a 500
// with the JSON error and the request id, and the log as an error carrying
// the same id.
func TestPanicIsRecovered(t *testing.T) {
	var logs bytes.Buffer
	s, err := New(Options{Config: config.Default(), Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	s.engine.GET("/boom", func(*gin.Context) { panic("kaboom") })

	w := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/boom", nil)
	req.Header.Set("X-Request-ID", "req-42")
	s.ServeHTTP(w, req)

	var body errorBody
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || w.Code != 500 || body.Error != "internal_error" ||
		body.Description != "internal error" {
		t.Fatalf("answer %d %s", w.Code, w.Body)
	}
	if w.Header().Get("X-Request-ID") != "req-42" {
		t.Fatalf("request id not echoed: %v", w.Header())
	}
	if !strings.Contains(logs.String(), `"request_id":"req-42"`) || !strings.Contains(logs.String(), "kaboom") {
		t.Fatalf("panic not logged with its request id:\n%s", logs.String())
	}
	if strings.Contains(w.Body.String(), "kaboom") {
		t.Fatal("the panic value reached the client")
	}
}

// TestRequestIDs: a request without an id, or with one that is not a
// plain token (spaces, quotes, over 64 characters), gets a new one of 24
// hex digits, a different one each time; a well-formed one is echoed.
// (net/http hands the handler the header under its canonical name,
// X-Request-Id, however the client spelled it.)
func TestRequestIDs(t *testing.T) {
	s, err := New(Options{Config: config.Default(), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	send := func(name, id string) string {
		req := httptest.NewRequest(http.MethodGet, "/healthz", nil)
		if name != "" {
			req.Header[name] = []string{id}
		}
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		return w.Header().Get("X-Request-ID")
	}
	seen := map[string]bool{}
	for _, bad := range []string{"", "two words", `"quoted"`, strings.Repeat("a", 65), "é"} {
		for range 50 {
			id := send("X-Request-Id", bad)
			if len(id) != 24 || strings.Trim(id, "0123456789abcdef") != "" || seen[id] {
				t.Fatalf("for %q: id %q (24 hex digits, new each time)", bad, id)
			}
			seen[id] = true
		}
	}
	if id := send("", ""); len(id) != 24 || seen[id] {
		t.Fatalf("without the header: id %q", id)
	}
	if id := send("X-Request-Id", "req-7.a_b"); id != "req-7.a_b" {
		t.Fatalf("a well-formed id is echoed: got %q", id)
	}
	if id := send("X-Request-Id", strings.Repeat("a", 64)); id != strings.Repeat("a", 64) {
		t.Fatalf("a 64-character id is echoed: got %q", id)
	}
}
