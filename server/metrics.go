package server

import (
	"time"

	"github.com/goldmine-game/goldmine/room"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Metrics are Goldmine's Prometheus metrics. Build them first and hand
// their Observe methods to the rooms and the store, which know nothing of
// Prometheus.
type Metrics struct {
	reg          *prometheus.Registry
	moves        prometheus.Counter
	games        prometheus.Counter
	broadcast    prometheus.Histogram
	commit       prometheus.Histogram
	commitWrites prometheus.Histogram
	commitErrors prometheus.Counter
	slowClosed   prometheus.Counter
	rateLimited  *prometheus.CounterVec
	refused      *prometheus.CounterVec
	hookErrors   prometheus.Counter
}

// NewMetrics registers the metrics, with the Go runtime and process ones.
func NewMetrics() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	f := func(c prometheus.Collector) { m.reg.MustRegister(c) }
	m.moves = prometheus.NewCounter(prometheus.CounterOpts{Name: "goldmine_moves_total",
		Help: "Digs applied, stored and announced."})
	m.games = prometheus.NewCounter(prometheus.CounterOpts{Name: "goldmine_games_finished_total",
		Help: "Games finished and stored."})
	m.broadcast = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "goldmine_move_broadcast_seconds",
		Help:    "From a move reaching its room to its event queued for every member, store commit included.",
		Buckets: []float64{.0005, .001, .002, .005, .01, .025, .05, .1, .25, .5, 1, 2.5}})
	m.commit = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "goldmine_store_commit_seconds",
		Help:    "Duration of one group commit of the store.",
		Buckets: []float64{.0001, .00025, .0005, .001, .002, .005, .01, .025, .05, .1, .25}})
	m.commitWrites = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "goldmine_store_commit_writes",
		Help:    "Writes grouped into one commit.",
		Buckets: []float64{1, 2, 4, 8, 16, 32, 64, 128, 256}})
	m.commitErrors = prometheus.NewCounter(prometheus.CounterOpts{Name: "goldmine_store_commit_errors_total",
		Help: "Group commits that failed (a full disk, say): their moves were refused."})
	m.slowClosed = prometheus.NewCounter(prometheus.CounterOpts{Name: "goldmine_ws_closed_slow_total",
		Help: "WebSocket sessions closed because they did not read their frames in time."})
	m.rateLimited = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "goldmine_rate_limited_total",
		Help: "Requests (api), WebSocket messages (ws) and hellos (hello, after too many for unknown rooms) refused by a rate limit."}, []string{"kind"})
	m.refused = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "goldmine_connections_refused_total",
		Help: "WebSocket connections refused by a connection limit."}, []string{"limit"})
	m.hookErrors = prometheus.NewCounter(prometheus.CounterOpts{Name: "goldmine_hook_errors_total",
		Help: "Hooks of a host program that failed or panicked."})
	for _, c := range []prometheus.Collector{m.moves, m.games, m.broadcast, m.commit, m.commitWrites, m.commitErrors,
		m.slowClosed, m.rateLimited, m.refused, m.hookErrors} {
		f(c)
	}
	m.rateLimited.WithLabelValues("api")
	m.rateLimited.WithLabelValues("ws")
	m.rateLimited.WithLabelValues("hello")
	for _, l := range []string{"total", "ip", "player"} {
		m.refused.WithLabelValues(l)
	}
	f(collectors.NewGoCollector())
	f(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// ObserveMove records a move and its move-to-broadcast latency.
func (m *Metrics) ObserveMove(d time.Duration) {
	m.moves.Inc()
	m.broadcast.Observe(d.Seconds())
}

// ObserveGame records a finished game.
func (m *Metrics) ObserveGame(room.GameRecord) { m.games.Inc() }

// ObserveCommit records one group commit of the store.
func (m *Metrics) ObserveCommit(writes int, d time.Duration, err error) {
	m.commit.Observe(d.Seconds())
	m.commitWrites.Observe(float64(writes))
	if err != nil {
		m.commitErrors.Inc()
	}
}

// HookFailed records a failed or panicking hook.
func (m *Metrics) HookFailed() { m.hookErrors.Inc() }

// Registry returns the registry, for gauges that read live state.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }
