package metrics

import (
	"strconv"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

// TestObserveRequest: every request is counted once under its route,
// method and code, whether its series is remembered or not, and no more
// than maxRouteSeries series are remembered however many methods clients
// invent.
func TestObserveRequest(t *testing.T) {
	m := New(nil, nil, time.Now)
	for range 3 {
		m.ObserveRequest("/v1/auth/me", "GET", 200, time.Millisecond)
	}
	m.ObserveRequest("/v1/auth/me", "GET", 401, time.Millisecond)
	m.ObserveRequest("", "GET", 404, time.Millisecond)
	if got := testutil.ToFloat64(m.requests.WithLabelValues("/v1/auth/me", "GET", "200")); got != 3 {
		t.Errorf("GET /v1/auth/me 200 counted %v times, want 3", got)
	}
	if got := testutil.ToFloat64(m.requests.WithLabelValues("/v1/auth/me", "GET", "401")); got != 1 {
		t.Errorf("GET /v1/auth/me 401 counted %v times, want 1", got)
	}
	if got := testutil.ToFloat64(m.requests.WithLabelValues("unmatched", "GET", "404")); got != 1 {
		t.Errorf("an unmatched request counted %v times, want 1", got)
	}
	if got := testutil.CollectAndCount(m.latency); got != 2 {
		t.Errorf("%d latency series, want 2 (one per route and method)", got)
	}

	const methods = maxRouteSeries + 100
	for i := range methods {
		for range 2 {
			m.ObserveRequest("/x", "M"+strconv.Itoa(i), 405, time.Millisecond)
		}
	}
	for _, i := range []int{0, maxRouteSeries, methods - 1} {
		if got := testutil.ToFloat64(m.requests.WithLabelValues("/x", "M"+strconv.Itoa(i), "405")); got != 2 {
			t.Errorf("method %d counted %v times, want 2", i, got)
		}
	}
	remembered := 0
	m.routes.Range(func(any, any) bool { remembered++; return true })
	if remembered > maxRouteSeries {
		t.Errorf("%d series remembered, want at most %d", remembered, maxRouteSeries)
	}
}
