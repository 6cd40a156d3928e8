// Package metrics exposes Tessera's Prometheus metrics: requests per route,
// logins and refreshes by outcome, active sessions, signing-key ages and
// the database connection pools.
//
// It observes and never decides: nothing here changes an answer, and a
// failing collector only loses a sample.
package metrics

import (
	"context"
	"database/sql"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/tessera-id/tessera/internal/keys"
	"github.com/tessera-id/tessera/internal/store"
)

// Metrics holds Tessera's collectors in their own registry.
type Metrics struct {
	reg       *prometheus.Registry
	requests  *prometheus.CounterVec
	latency   *prometheus.HistogramVec
	logins    *prometheus.CounterVec
	refreshes *prometheus.CounterVec

	// routes remembers the counter and histogram of each matched route,
	// method and status code, so a request does not hash its labels twice.
	routes sync.Map // of routeKey -> routeSeries
	// routesLeft bounds routes: methods come from clients.
	routesLeft atomic.Int64
}

type routeKey struct {
	route, method string
	code          int
}

type routeSeries struct {
	requests prometheus.Counter
	latency  prometheus.Observer
}

// maxRouteSeries bounds the remembered series; past it, requests are
// still counted, through the vectors.
const maxRouteSeries = 4096

// New registers every collector. Active sessions are counted in the
// database at most once per sessionsEvery, however often /metrics is
// scraped.
func New(st store.StatsStore, ring *keys.Ring, now func() time.Time) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tessera_http_requests_total", Help: "HTTP requests by route, method and status code.",
		}, []string{"route", "method", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "tessera_http_request_duration_seconds", Help: "HTTP request latency by route and method.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"route", "method"}),
		logins: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tessera_logins_total", Help: "Password checks by outcome (success, invalid_credentials, throttled, busy, error).",
		}, []string{"outcome"}),
		refreshes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tessera_refreshes_total", Help: "Refreshes by outcome (rotated, grace, reuse, invalid, error).",
		}, []string{"outcome"}),
	}
	m.routesLeft.Store(maxRouteSeries)
	m.reg.MustRegister(m.requests, m.latency, m.logins, m.refreshes,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		&sessionsCollector{store: st, now: now, desc: prometheus.NewDesc("tessera_active_sessions",
			"Sessions usable now (counted at most every 15 s).", nil, nil)},
		&keysCollector{ring: ring, now: now, desc: prometheus.NewDesc("tessera_signing_key_age_seconds",
			"Age of each published signing key.", []string{"kid", "alg", "state"}, nil)},
	)
	return m
}

// WatchPool exports the statistics of a database connection pool (open,
// in use and idle connections, and how often and how long requests waited
// for one inside database/sql) as Go's standard go_sql_* series, and, when
// queue is not nil, the statements that waited their turn in front of it
// as tessera_db_queue_waits_total and tessera_db_queue_wait_seconds_total;
// all labelled db_name="<name>". Waiting requests are the first thing to
// look at when database-bound routes slow down.
func (m *Metrics) WatchPool(name string, db *sql.DB, queue func() (waits int64, waited time.Duration)) {
	m.reg.MustRegister(collectors.NewDBStatsCollector(db, name))
	if queue == nil {
		return
	}
	labels := prometheus.Labels{"db_name": name}
	m.reg.MustRegister(
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "tessera_db_queue_waits_total", ConstLabels: labels,
			Help: "Prepared statements that found every connection of the pool taken and waited their turn.",
		}, func() float64 { n, _ := queue(); return float64(n) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "tessera_db_queue_wait_seconds_total", ConstLabels: labels,
			Help: "Time prepared statements waited their turn for a connection of the pool.",
		}, func() float64 { _, d := queue(); return d.Seconds() }),
	)
}

// WatchRotations exports how many statements rotated refresh tokens and
// how many rotations they carried (more than one a statement when
// rotations waiting for a connection share one), read at each scrape.
func (m *Metrics) WatchRotations(stats func() (statements, rotations int64)) {
	m.reg.MustRegister(
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "tessera_db_rotation_statements_total",
			Help: "Statements that rotated refresh tokens.",
		}, func() float64 { n, _ := stats(); return float64(n) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "tessera_db_rotations_total",
			Help: "Refresh rotations those statements carried.",
		}, func() float64 { _, n := stats(); return float64(n) }),
	)
}

// Login counts a password check's outcome (auth.Observer).
func (m *Metrics) Login(outcome string) { m.logins.WithLabelValues(outcome).Inc() }

// Refresh counts a refresh's outcome (auth.Observer).
func (m *Metrics) Refresh(outcome string) { m.refreshes.WithLabelValues(outcome).Inc() }

// ObserveRequest records one answered request. route is the route
// template ("/v1/auth/sessions/:id"), never the raw path, so ids do not
// explode the label space; unmatched paths are "unmatched".
func (m *Metrics) ObserveRequest(route, method string, code int, d time.Duration) {
	if route == "" {
		route = "unmatched"
	}
	k := routeKey{route, method, code}
	if v, ok := m.routes.Load(k); ok {
		rs := v.(routeSeries)
		rs.requests.Inc()
		rs.latency.Observe(d.Seconds())
		return
	}
	rs := routeSeries{m.requests.WithLabelValues(route, method, strconv.Itoa(code)), m.latency.WithLabelValues(route, method)}
	if m.routesLeft.Add(-1) >= 0 {
		m.routes.Store(k, rs)
	}
	rs.requests.Inc()
	rs.latency.Observe(d.Seconds())
}

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

const sessionsEvery = 15 * time.Second

type sessionsCollector struct {
	store store.StatsStore
	now   func() time.Time
	desc  *prometheus.Desc

	mu    sync.Mutex
	at    time.Time
	value float64
	ok    bool
}

func (c *sessionsCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *sessionsCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if now := time.Now(); !c.ok || now.Sub(c.at) >= sessionsEvery {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		n, err := c.store.CountActiveSessions(ctx, c.now().UTC())
		cancel()
		if err != nil {
			return // the database is away: no sample rather than a wrong one
		}
		c.at, c.value, c.ok = now, float64(n), true
	}
	ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, c.value)
}

type keysCollector struct {
	ring *keys.Ring
	now  func() time.Time
	desc *prometheus.Desc
}

func (c *keysCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *keysCollector) Collect(ch chan<- prometheus.Metric) {
	now := c.now()
	for _, k := range c.ring.Keys() {
		if k.State == keys.StateRetired {
			continue
		}
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, now.Sub(k.Created).Seconds(),
			k.ID, k.Algorithm, string(k.State))
	}
}
