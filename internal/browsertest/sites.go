package browsertest

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// Sites serves any of Hosts over TLS on one loopback listener, choosing
// the handler by the request's host. Origins carry the listener's port
// (https://app.tessera.test:41234); cookies ignore ports, so sites still
// share cookies as they would in production.
type Sites struct {
	t      testing.TB
	srv    *httptest.Server
	port   string
	mu     sync.RWMutex
	byHost map[string]http.Handler
}

// NewSites starts the listener (closed when the test ends). It skips the
// test when no browser is available, before anything starts.
func NewSites(t testing.TB) *Sites {
	t.Helper()
	browser(t)
	s := &Sites{t: t, byHost: map[string]http.Handler{}}
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	s.srv.TLS = &tls.Config{Certificates: []tls.Certificate{shared.cert.tls}, MinVersion: tls.VersionTLS12}
	s.srv.StartTLS()
	t.Cleanup(s.srv.Close)
	_, s.port, _ = net.SplitHostPort(s.srv.Listener.Addr().String())
	return s
}

// Handle serves host with h.
func (s *Sites) Handle(host string, h http.Handler) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.byHost[host] = h
}

// Origin is host's origin, e.g. "https://app.tessera.test:41234".
func (s *Sites) Origin(host string) string { return "https://" + host + ":" + s.port }

func (s *Sites) serve(w http.ResponseWriter, r *http.Request) {
	host, _, err := net.SplitHostPort(r.Host)
	if err != nil {
		host = r.Host
	}
	s.mu.RLock()
	h := s.byHost[strings.ToLower(host)]
	s.mu.RUnlock()
	if h == nil {
		http.Error(w, "no site "+host, http.StatusMisdirectedRequest)
		return
	}
	h.ServeHTTP(w, r)
}

// Client is an HTTP client for the sites: it trusts their certificate
// (and nothing else) and dials the listener for every host name.
func (s *Sites) Client() *http.Client {
	addr := s.srv.Listener.Addr().String()
	d := &net.Dialer{Timeout: 5 * time.Second}
	return &http.Client{
		Timeout: 10 * time.Second,
		Transport: &http.Transport{
			TLSClientConfig: &tls.Config{RootCAs: shared.cert.pool(), MinVersion: tls.VersionTLS12},
			DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
				return d.DialContext(ctx, network, addr)
			},
		},
	}
}
