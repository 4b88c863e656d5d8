package main

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// API is the HTTP surface: probes, metrics and the users resource.
type API struct {
	cfg     Config
	store   *Store
	cache   *Cache
	auth    *Auth
	metrics *Metrics
}

type recorder struct {
	http.ResponseWriter
	status int
}

func (r *recorder) WriteHeader(status int) { r.status = status; r.ResponseWriter.WriteHeader(status) }

func template(path string) string {
	switch {
	case path == "/users" || path == "/health/live" || path == "/health/ready" || path == "/metrics":
		return path
	case strings.HasPrefix(path, "/users/"):
		return "/users/{id}"
	}
	return "other"
}

func (a *API) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/health/live", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, map[string]string{"status": "alive"}) })
	mux.HandleFunc("/health/ready", a.ready)
	mux.Handle("/metrics", promhttp.HandlerFor(a.metrics.registry, promhttp.HandlerOpts{}))
	mux.HandleFunc("/users", a.admitted(a.collection))
	mux.HandleFunc("/users/", a.admitted(a.item))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		started, rec := time.Now(), &recorder{ResponseWriter: w, status: 200}
		mux.ServeHTTP(rec, r)
		path, code := template(r.URL.Path), strconv.Itoa(rec.status)
		a.metrics.requests.WithLabelValues(r.Method, path, code).Inc()
		if rec.status >= 400 {
			a.metrics.errors.WithLabelValues(r.Method, path, code).Inc()
		}
		a.metrics.duration.WithLabelValues(r.Method, path).Observe(time.Since(started).Seconds())
	})
}

func writeJSON(w http.ResponseWriter, status int, body interface{}) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(body)
}

var readyLog struct {
	sync.Mutex
	failing string
}

// ready checks the database and Redis at once, each within a second.
func (a *API) ready(w http.ResponseWriter, r *http.Request) {
	var dbErr, redisErr error
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); dbErr = a.store.Ping(time.Second) }()
	go func() { defer wg.Done(); redisErr = a.cache.Ping() }()
	wg.Wait()
	problems := []string{}
	if dbErr != nil {
		problems = append(problems, "database: "+dbErr.Error())
	}
	if redisErr != nil {
		problems = append(problems, "redis: "+redisErr.Error())
	}
	readyLog.Lock()
	failing := strings.Join(problems, "; ")
	if failing != readyLog.failing && failing != "" {
		logf("ERROR", "not ready: %s", failing)
	}
	readyLog.failing = failing
	readyLog.Unlock()
	if len(problems) > 0 {
		writeJSON(w, 503, map[string]interface{}{"ready": false, "problems": problems})
		return
	}
	writeJSON(w, 200, map[string]bool{"ready": true})
}

type handler func(w http.ResponseWriter, r *http.Request, cachedUser []byte)

// admitted authenticates and rate-limits a request before `next` runs.
func (a *API) admitted(next handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		header := r.Header.Get("Authorization")
		if !strings.HasPrefix(header, "Bearer ") {
			a.reject(w, r, errors.New("missing bearer token"))
			return
		}
		token := strings.TrimSpace(header[len("Bearer "):])
		subject, err := a.auth.Verify(token)
		if err != nil {
			a.reject(w, r, err)
			return
		}
		userKey := ""
		if r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/users/") {
			userKey = "account:" + strings.TrimPrefix(r.URL.Path, "/users/")
		}
		admission := a.cache.Admit(subject, tokenKey(token), userKey)
		if admission.RetryAfter > 0 {
			logf("ERROR", "rate limit exceeded for client %s", subject)
			w.Header().Set("Retry-After", strconv.Itoa(admission.RetryAfter))
			writeJSON(w, 429, map[string]string{"error": "too many requests"})
			return
		}
		if err := a.auth.Active(token, admission.TokenState); err != nil {
			a.reject(w, r, err)
			return
		}
		next(w, r, admission.User)
	}
}

func (a *API) reject(w http.ResponseWriter, r *http.Request, why error) {
	logf("ERROR", "invalid token on %s %s: %v", r.Method, r.URL.Path, why)
	w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
	writeJSON(w, 401, map[string]string{"error": "invalid token"})
}

func (a *API) failed(w http.ResponseWriter, r *http.Request, err error) {
	switch err {
	case errNotFound:
		writeJSON(w, 404, map[string]string{"error": err.Error()})
	case errConflict:
		writeJSON(w, 409, map[string]string{"error": err.Error()})
	default:
		logf("ERROR", "%s %s: %v", r.Method, r.URL.Path, err)
		writeJSON(w, 500, map[string]string{"error": "database unavailable"})
	}
}

type userIn struct {
	Email *string  `json:"email"`
	Name  *string  `json:"name"`
	Roles []string `json:"roles"`
}

func (a *API) collection(w http.ResponseWriter, r *http.Request, _ []byte) {
	switch r.Method {
	case http.MethodGet:
		limit, err := strconv.Atoi(r.URL.Query().Get("limit"))
		if r.URL.Query().Get("limit") == "" {
			limit, err = 50, nil
		}
		if err != nil || limit < 1 || limit > a.cfg.PageMax {
			writeJSON(w, 400, map[string]string{"error": "limit must be 1-" + strconv.Itoa(a.cfg.PageMax)})
			return
		}
		users, err := a.store.Page(r.Context(), r.URL.Query().Get("after"), limit)
		if err != nil {
			a.failed(w, r, err)
			return
		}
		writeJSON(w, 200, map[string]interface{}{"users": users})
	case http.MethodPost:
		var in userIn
		if json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&in) != nil || in.Email == nil ||
			!strings.Contains(*in.Email, "@") || in.Name == nil {
			writeJSON(w, 422, map[string]string{"error": "email and name are required"})
			return
		}
		user, err := a.store.Create(r.Context(), *in.Email, *in.Name, in.Roles)
		if err != nil {
			a.failed(w, r, err)
			return
		}
		writeJSON(w, 201, user)
	default:
		writeJSON(w, 405, map[string]string{"error": "method not allowed"})
	}
}

func (a *API) item(w http.ResponseWriter, r *http.Request, cached []byte) {
	id := strings.TrimPrefix(r.URL.Path, "/users/")
	key := "account:" + id
	switch r.Method {
	case http.MethodGet:
		if cached != nil {
			a.metrics.hits.Inc()
			w.Header().Set("Content-Type", "application/json")
			w.Write(cached)
			return
		}
		a.metrics.misses.Inc()
		user, err := a.store.Get(r.Context(), id)
		if err != nil {
			a.failed(w, r, err)
			return
		}
		body, _ := json.Marshal(user)
		a.cache.set(key, body, time.Minute)
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	case http.MethodPatch:
		var in userIn
		if json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&in) != nil || in.Name == nil {
			writeJSON(w, 422, map[string]string{"error": "name is required"})
			return
		}
		user, err := a.store.Rename(r.Context(), id, *in.Name)
		a.cache.forget(key)
		if err != nil {
			a.failed(w, r, err)
			return
		}
		writeJSON(w, 200, user)
	case http.MethodDelete:
		err := a.store.Delete(r.Context(), id)
		a.cache.forget(key)
		if err != nil {
			a.failed(w, r, err)
			return
		}
		w.WriteHeader(204)
	default:
		writeJSON(w, 405, map[string]string{"error": "method not allowed"})
	}
}
