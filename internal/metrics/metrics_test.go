package metrics

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
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

// noConnector is a database that never connects: a pool's statistics are
// read without a connection.
type noConnector struct{}

func (noConnector) Connect(context.Context) (driver.Conn, error) {
	return nil, errors.New("no database")
}
func (noConnector) Driver() driver.Driver { return nil }

// TestWatchPool: a pool's database/sql statistics and its queue's waits
// are exported under its name, read at each scrape; a pool without a
// queue exports only the former. So are the refresh rotations' counts.
func TestWatchPool(t *testing.T) {
	m := &Metrics{reg: prometheus.NewRegistry()} // without the collectors that need a store and keys
	main := sql.OpenDB(noConnector{})
	main.SetMaxOpenConns(16)
	other := sql.OpenDB(noConnector{})
	t.Cleanup(func() { _ = main.Close(); _ = other.Close() })
	waits, waited := int64(3), 1500*time.Millisecond
	m.WatchPool("main", main, func() (int64, time.Duration) { return waits, waited })
	m.WatchPool("other", other, nil)
	statements, rotations := int64(7), int64(12)
	m.WatchRotations(func() (int64, int64) { return statements, rotations })
	expo := func() string {
		t.Helper()
		mfs, err := m.reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for _, mf := range mfs {
			for _, mt := range mf.GetMetric() {
				name := ""
				for _, l := range mt.GetLabel() {
					name = l.GetValue()
				}
				v := mt.GetGauge().GetValue() + mt.GetCounter().GetValue()
				b.WriteString(mf.GetName() + "{" + name + "} " + strconv.FormatFloat(v, 'f', -1, 64) + "\n")
			}
		}
		return b.String()
	}
	got := expo()
	for _, want := range []string{
		"go_sql_max_open_connections{main} 16\n",
		"go_sql_max_open_connections{other} 0\n",
		"tessera_db_queue_waits_total{main} 3\n",
		"tessera_db_queue_wait_seconds_total{main} 1.5\n",
		"tessera_db_rotation_statements_total{} 7\n",
		"tessera_db_rotations_total{} 12\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	if strings.Contains(got, "tessera_db_queue_waits_total{other}") {
		t.Error("a pool without a queue exports queue waits")
	}
	waits, waited = 5, 2*time.Second
	statements, rotations = 8, 20
	if got := expo(); !strings.Contains(got, "tessera_db_queue_waits_total{main} 5\n") ||
		!strings.Contains(got, "tessera_db_queue_wait_seconds_total{main} 2\n") ||
		!strings.Contains(got, "tessera_db_rotations_total{} 20\n") {
		t.Errorf("a second scrape did not read the queue again:\n%s", got)
	}
}
