package main

import (
	"fmt"
	"time"

	"github.com/gomodule/redigo/redis"
)

// Cache is everything kept in Redis: users read through, the rate limiter's counters
// and the auth service's answers. A Redis failure never fails a request on its own:
// the read misses, the limiter admits, the token is asked about again - and it is
// logged. Readiness is what reports Redis down.
type Cache struct {
	cfg     Config
	pool    *redis.Pool
	metrics *Metrics
}

const redisTimeout = 500 * time.Millisecond

func newCache(cfg Config, metrics *Metrics) *Cache {
	dial := func() (redis.Conn, error) {
		return redis.Dial("tcp", cfg.CacheAddr, redis.DialConnectTimeout(redisTimeout),
			redis.DialReadTimeout(redisTimeout), redis.DialWriteTimeout(redisTimeout))
	}
	return &Cache{cfg: cfg, metrics: metrics, pool: &redis.Pool{Dial: dial, MaxIdle: 64, MaxActive: 256,
		IdleTimeout: time.Minute}}
}

// Admission is one request's Redis round trip: the rate limit, the token's cached
// state and (when asked) a cached user.
type Admission struct {
	RetryAfter int    // > 0: over the limit
	TokenState string // "active", "inactive" or "" (not cached)
	User       []byte // nil: not cached
}

func (c *Cache) Admit(client, tokenKey, userKey string) Admission {
	window := int64(c.cfg.RateWindow / time.Second)
	if window < 1 {
		window = 1
	}
	now := time.Now().Unix()
	key := fmt.Sprintf("limit:%s:%d", client, now/window)
	conn := c.pool.Get()
	defer conn.Close()
	conn.Send("INCR", key)
	conn.Send("EXPIRE", key, window+1)
	conn.Send("GET", tokenKey)
	if userKey != "" {
		conn.Send("GET", userKey)
	}
	replies, err := redis.Values(conn.Do(""))
	if err != nil {
		logf("WARN", "redis unavailable during admission: %v", err)
		return Admission{}
	}
	var a Admission
	count, _ := redis.Int(replies[0], nil)
	a.TokenState, _ = redis.String(replies[2], nil)
	if userKey != "" {
		a.User, _ = redis.Bytes(replies[3], nil)
	}
	if count > c.cfg.RateLimit {
		a.RetryAfter = int(window - now%window)
	}
	return a
}

func (c *Cache) set(key string, value []byte, ttl time.Duration) {
	conn := c.pool.Get()
	defer conn.Close()
	if _, err := conn.Do("SET", key, value, "PX", ttl.Milliseconds()); err != nil {
		logf("WARN", "redis unavailable during cache write: %v", err)
	}
}

func (c *Cache) forget(key string) {
	conn := c.pool.Get()
	defer conn.Close()
	if _, err := conn.Do("DEL", key); err != nil {
		logf("ERROR", "redis unavailable during cache invalidation of %s: %v", key, err)
	}
}

// Ping is readiness's Redis check.
func (c *Cache) Ping() error {
	conn := c.pool.Get()
	defer conn.Close()
	_, err := conn.Do("PING")
	return err
}
