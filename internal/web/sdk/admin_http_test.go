package sdk_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

func (a *adminHTTP) post(t *testing.T, path, body string, want int) map[string]any {
	t.Helper()
	return a.send(t, "POST", path, strings.NewReader(body), want)
}

func (a *adminHTTP) do(t *testing.T, method, path string, want int) map[string]any {
	t.Helper()
	return a.send(t, method, path, nil, want)
}

func (a *adminHTTP) send(t *testing.T, method, path string, body io.Reader, want int) map[string]any {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, a.d.Issuer()+path, body)
	if err != nil {
		t.Fatalf("request: %v", err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if a.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+a.bearer)
	}
	resp, err := a.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: %d, want %d: %s", method, path, resp.StatusCode, want, data)
	}
	var m map[string]any
	_ = json.Unmarshal(data, &m)
	return m
}
