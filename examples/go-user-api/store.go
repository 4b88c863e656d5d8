package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/lib/pq"
)

// Store is the accounts in PostgreSQL, behind a pool of at most POOL_SIZE connections.
type Store struct {
	cfg     Config
	db      *sql.DB
	metrics *Metrics
	ready   chan struct{}
}

// DBError is a database failure named for the operator: its text goes into the ERROR line.
type DBError struct{ msg string }

func (e *DBError) Error() string { return e.msg }

var errNotFound = errors.New("no such user")
var errConflict = errors.New("email taken")

const schema = `
CREATE TABLE IF NOT EXISTS accounts (
  id text PRIMARY KEY, email text NOT NULL UNIQUE, name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS account_roles (
  account_id text NOT NULL REFERENCES accounts(id) ON DELETE CASCADE, role text NOT NULL,
  PRIMARY KEY (account_id, role));`

func openStore(cfg Config, metrics *Metrics) *Store {
	dsn := fmt.Sprintf("host=%s port=%s user=%s password=%s dbname=%s sslmode=disable connect_timeout=2 "+
		"statement_timeout=%d", cfg.PGHost, cfg.PGPort, cfg.PGUser, cfg.PGPassword, cfg.PGDB, cfg.QueryTimeoutMS)
	db, _ := sql.Open("postgres", dsn) // only parses: connections are made on use
	db.SetMaxOpenConns(cfg.PoolSize)
	db.SetMaxIdleConns(cfg.PoolSize)
	s := &Store{cfg: cfg, db: db, metrics: metrics, ready: make(chan struct{})}
	metrics.poolActive(func() float64 { return float64(db.Stats().InUse) })
	return s
}

// migrateUntilDone creates the schema, retrying every second until PostgreSQL answers.
func (s *Store) migrateUntilDone() {
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_, err := s.db.ExecContext(ctx, "SELECT pg_advisory_lock(4711); "+schema+" SELECT pg_advisory_unlock(4711);")
		cancel()
		if err == nil {
			logf("INFO", "schema ready")
			close(s.ready)
			return
		}
		logf("ERROR", "%v; retrying in 1s", s.classify(err))
		time.Sleep(time.Second)
	}
}

// conn takes a connection from the pool, waiting at most POOL_WAIT_S.
func (s *Store) conn(ctx context.Context) (*sql.Conn, error) {
	wait, cancel := context.WithTimeout(ctx, s.cfg.PoolWait)
	defer cancel()
	conn, err := s.db.Conn(wait)
	if err != nil && errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
		s.metrics.poolTimeouts.Inc()
		return nil, &DBError{fmt.Sprintf("database connection pool exhausted: no free connection in %v (pool size %d)",
			s.cfg.PoolWait, s.cfg.PoolSize)}
	}
	if err != nil {
		return nil, s.classify(err)
	}
	return conn, nil
}

func (s *Store) classify(err error) error {
	var pqErr *pq.Error
	text := err.Error()
	switch {
	case errors.As(err, &pqErr) && pqErr.Code == "57014":
		return &DBError{fmt.Sprintf("database query timeout: statement exceeded %d ms", s.cfg.QueryTimeoutMS)}
	case strings.Contains(text, "connection refused"):
		return &DBError{"database connection refused: " + text}
	case errors.Is(err, context.DeadlineExceeded) || strings.Contains(text, "timeout"):
		return &DBError{"database timeout: " + text}
	default:
		return &DBError{"database error: " + text}
	}
}

// Ping is readiness's database check: one round trip, within `limit`.
func (s *Store) Ping(limit time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	conn, err := s.conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if err := conn.PingContext(ctx); err != nil {
		return s.classify(err)
	}
	return nil
}

// User is one account with its roles, as the API answers it.
type User struct {
	ID        string    `json:"id"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	Roles     []string  `json:"roles"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

const selectUser = `SELECT a.id, a.email, a.name, a.created_at, a.updated_at,
  COALESCE(array_agg(r.role ORDER BY r.role) FILTER (WHERE r.role IS NOT NULL), '{}')
  FROM accounts a LEFT JOIN account_roles r ON r.account_id = a.id `

func scanUsers(rows *sql.Rows) ([]User, error) {
	users := []User{}
	for rows.Next() {
		var u User
		var roles pq.StringArray
		if err := rows.Scan(&u.ID, &u.Email, &u.Name, &u.CreatedAt, &u.UpdatedAt, &roles); err != nil {
			return nil, err
		}
		u.Roles = []string(roles)
		users = append(users, u)
	}
	return users, rows.Err()
}

// with runs `work` on a pooled connection, giving it back whatever happens.
func (s *Store) with(ctx context.Context, work func(*sql.Conn) error) error {
	conn, err := s.conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if err := work(conn); err != nil {
		if err == errNotFound || err == errConflict {
			return err
		}
		return s.classify(err)
	}
	return nil
}

func (s *Store) Get(ctx context.Context, id string) (user User, err error) {
	err = s.with(ctx, func(c *sql.Conn) error {
		rows, err := c.QueryContext(ctx, selectUser+"WHERE a.id = $1 GROUP BY a.id", id)
		if err != nil {
			return err
		}
		defer rows.Close()
		users, err := scanUsers(rows)
		if err == nil && len(users) == 0 {
			return errNotFound
		}
		if err == nil {
			user = users[0]
		}
		return err
	})
	return
}

func (s *Store) Page(ctx context.Context, after string, limit int) (users []User, err error) {
	err = s.with(ctx, func(c *sql.Conn) error {
		rows, err := c.QueryContext(ctx, selectUser+"WHERE a.id > $1 GROUP BY a.id ORDER BY a.id LIMIT $2", after, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		users, err = scanUsers(rows)
		return err
	})
	return
}

func newID() string {
	b := make([]byte, 16)
	rand.Read(b)
	b[6], b[8] = (b[6]&0x0f)|0x40, (b[8]&0x3f)|0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func (s *Store) Create(ctx context.Context, email, name string, roles []string) (User, error) {
	id := newID()
	err := s.with(ctx, func(c *sql.Conn) error {
		_, err := c.ExecContext(ctx, `WITH a AS (INSERT INTO accounts (id, email, name) VALUES ($1, $2, $3) RETURNING id)
			INSERT INTO account_roles (account_id, role) SELECT a.id, unnest($4::text[]) FROM a`,
			id, email, name, pq.Array(roles))
		var pqErr *pq.Error
		if errors.As(err, &pqErr) && pqErr.Code == "23505" {
			return errConflict
		}
		return err
	})
	if err != nil {
		return User{}, err
	}
	return s.Get(ctx, id)
}

func (s *Store) Rename(ctx context.Context, id, name string) (User, error) {
	err := s.with(ctx, func(c *sql.Conn) error {
		res, err := c.ExecContext(ctx, "UPDATE accounts SET name = $2, updated_at = now() WHERE id = $1", id, name)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errNotFound
		}
		return nil
	})
	if err != nil {
		return User{}, err
	}
	return s.Get(ctx, id)
}

func (s *Store) Delete(ctx context.Context, id string) error {
	return s.with(ctx, func(c *sql.Conn) error {
		res, err := c.ExecContext(ctx, "DELETE FROM accounts WHERE id = $1", id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errNotFound
		}
		return nil
	})
}
