// A User API in Go: the runbook's service written by a team that is not the suite's
// authors - its own variable names (PG*, CACHE_ADDR, TOKEN_SECRET, ...), its own port
// (9000), plain-text logs, its own tables (accounts, account_roles) and UUID ids.
// It keeps the contract of docs/contract.md and nothing more.
package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"
)

// Config is every setting, read from the environment and validated at start.
type Config struct {
	Port                                     int
	PGHost, PGPort, PGUser, PGPassword, PGDB string
	CacheAddr, AuthURL, TokenSecret          string
	PoolSize                                 int
	PoolWait                                 time.Duration
	QueryTimeoutMS                           int
	RateLimit                                int
	RateWindow, AuthCache                    time.Duration
	PageMax                                  int
}

func env(name, fallback string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return fallback
}

func required(name string) (string, error) {
	v := os.Getenv(name)
	if v == "" {
		return "", fmt.Errorf("%s is required", name)
	}
	return v, nil
}

func number(name, fallback string, min int) (int, error) {
	v, err := strconv.Atoi(env(name, fallback))
	if err != nil || v < min {
		return 0, fmt.Errorf("%s=%q: must be a whole number >= %d", name, env(name, fallback), min)
	}
	return v, nil
}

func seconds(name, fallback string) (time.Duration, error) {
	v, err := strconv.ParseFloat(env(name, fallback), 64)
	if err != nil || v <= 0 {
		return 0, fmt.Errorf("%s=%q: must be a positive number of seconds", name, env(name, fallback))
	}
	return time.Duration(v * float64(time.Second)), nil
}

func loadConfig() (Config, error) {
	c := Config{PGHost: env("PGHOST", "localhost"), PGPort: env("PGPORT", "5432"), PGUser: env("PGUSER", "postgres"),
		PGPassword: env("PGPASSWORD", ""), PGDB: env("PGDATABASE", "postgres")}
	var err error
	steps := []func() error{
		func() (e error) { c.Port, e = number("LISTEN_PORT", "9000", 1); return },
		func() (e error) { c.CacheAddr, e = required("CACHE_ADDR"); return },
		func() (e error) { c.AuthURL, e = required("AUTH_URL"); return },
		func() (e error) { c.TokenSecret, e = required("TOKEN_SECRET"); return },
		func() (e error) { c.PoolSize, e = number("POOL_SIZE", "10", 1); return },
		func() (e error) { c.PoolWait, e = seconds("POOL_WAIT_S", "2"); return },
		func() (e error) { c.QueryTimeoutMS, e = number("QUERY_TIMEOUT_MS", "2000", 1); return },
		func() (e error) { c.RateLimit, e = number("RATE_LIMIT", "1000", 1); return },
		func() (e error) { c.RateWindow, e = seconds("RATE_WINDOW_S", "10"); return },
		func() (e error) { c.AuthCache, e = seconds("TOKEN_CACHE_S", "30"); return },
		func() (e error) { c.PageMax, e = number("PAGE_MAX", "200", 1); return },
	}
	for _, step := range steps {
		if err = step(); err != nil {
			return c, err
		}
	}
	return c, nil
}

func main() {
	cfg, err := loadConfig()
	if err != nil {
		fmt.Fprintf(os.Stderr, "ERROR bad configuration: %v\n", err)
		os.Exit(2)
	}
	metrics := newMetrics()
	store := openStore(cfg, metrics)
	cache := newCache(cfg, metrics)
	api := &API{cfg: cfg, store: store, cache: cache, auth: newAuth(cfg, cache), metrics: metrics}
	server := &http.Server{Addr: fmt.Sprintf(":%d", cfg.Port), Handler: api.routes(), ReadHeaderTimeout: 5 * time.Second}
	go store.migrateUntilDone()

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-stop
		logf("INFO", "shutting down: draining requests")
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		server.Shutdown(ctx)
	}()
	logf("INFO", "listening on :%d", cfg.Port)
	if err := server.ListenAndServe(); err != nil && err != http.ErrServerClosed {
		logf("ERROR", "server failed: %v", err)
		os.Exit(1)
	}
}

// logf writes one plain-text line: time, level, message - what `grep ERROR` reads.
func logf(level, format string, args ...interface{}) {
	fmt.Fprintf(os.Stdout, "%s %s %s\n", time.Now().UTC().Format(time.RFC3339Nano), level, fmt.Sprintf(format, args...))
}
