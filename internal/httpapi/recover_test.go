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
