package main

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the runbook's "Metrics to Monitor", labelled by path template.
type Metrics struct {
	registry     *prometheus.Registry
	requests     *prometheus.CounterVec
	errors       *prometheus.CounterVec
	duration     *prometheus.HistogramVec
	hits, misses prometheus.Counter
	poolTimeouts prometheus.Counter
}

func newMetrics() *Metrics {
	m := &Metrics{registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "http_requests_total",
			Help: "Requests answered."}, []string{"method", "path", "code"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "http_requests_errors_total",
			Help: "Requests answered with a 4xx or 5xx."}, []string{"method", "path", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "http_request_duration_seconds",
			Help: "Request latency.", Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}},
			[]string{"method", "path"}),
		hits:         prometheus.NewCounter(prometheus.CounterOpts{Name: "redis_hits_total", Help: "User reads served from Redis."}),
		misses:       prometheus.NewCounter(prometheus.CounterOpts{Name: "redis_misses_total", Help: "User reads Redis did not have."}),
		poolTimeouts: prometheus.NewCounter(prometheus.CounterOpts{Name: "db_connection_pool_timeouts_total", Help: "Waits for a free connection that gave up."}),
	}
	m.registry.MustRegister(m.requests, m.errors, m.duration, m.hits, m.misses, m.poolTimeouts)
	return m
}

func (m *Metrics) poolActive(read func() float64) {
	m.registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "db_connection_pool_active",
		Help: "Database connections in use."}, read))
}
