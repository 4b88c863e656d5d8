package main

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"
)

// Auth checks bearer tokens: an HS256 signature with TOKEN_SECRET and the time claims
// (a few seconds of leeway), then the auth service's introspection, remembered in
// Redis for TOKEN_CACHE_S.
type Auth struct {
	cfg    Config
	cache  *Cache
	client *http.Client
}

const leeway = 5 // seconds

func newAuth(cfg Config, cache *Cache) *Auth {
	return &Auth{cfg: cfg, cache: cache, client: &http.Client{Timeout: time.Second}}
}

type claims struct {
	Sub string   `json:"sub"`
	Exp *float64 `json:"exp"`
	Nbf *float64 `json:"nbf"`
	Iat *float64 `json:"iat"`
}

// Verify returns the token's subject, or an error whose text says why it is invalid.
func (a *Auth) Verify(token string) (string, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return "", errors.New("malformed")
	}
	mac := hmac.New(sha256.New, []byte(a.cfg.TokenSecret))
	mac.Write([]byte(parts[0] + "." + parts[1]))
	signature, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || !hmac.Equal(signature, mac.Sum(nil)) {
		return "", errors.New("bad signature")
	}
	var header struct{ Alg string }
	var c claims
	head, _ := base64.RawURLEncoding.DecodeString(parts[0])
	body, err := base64.RawURLEncoding.DecodeString(parts[1])
	if json.Unmarshal(head, &header) != nil || header.Alg != "HS256" || err != nil || json.Unmarshal(body, &c) != nil {
		return "", errors.New("malformed")
	}
	now := float64(time.Now().Unix())
	switch {
	case c.Sub == "" || c.Exp == nil:
		return "", errors.New("missing claim")
	case *c.Exp+leeway < now:
		return "", errors.New("expired")
	case c.Nbf != nil && *c.Nbf-leeway > now, c.Iat != nil && *c.Iat-leeway > now:
		return "", errors.New("not yet valid")
	}
	return c.Sub, nil
}

func tokenKey(token string) string {
	sum := sha256.Sum256([]byte(token))
	return "token:" + hex.EncodeToString(sum[:16])
}

// Active asks the auth service whether the token is active (cached answers first).
func (a *Auth) Active(token, cached string) error {
	if cached == "active" {
		return nil
	}
	if cached == "inactive" {
		return errors.New("revoked")
	}
	body, _ := json.Marshal(map[string]string{"token": token})
	answer, err := a.client.Post(a.cfg.AuthURL+"/introspect", "application/json", bytes.NewReader(body))
	if err != nil {
		return errors.New("auth service unavailable: " + err.Error())
	}
	defer answer.Body.Close()
	var verdict struct{ Active bool }
	if answer.StatusCode != 200 || json.NewDecoder(answer.Body).Decode(&verdict) != nil {
		return errors.New("auth service unavailable: introspection answered " + answer.Status)
	}
	state := "inactive"
	if verdict.Active {
		state = "active"
	}
	a.cache.set(tokenKey(token), []byte(state), a.cfg.AuthCache)
	if !verdict.Active {
		return errors.New("revoked")
	}
	return nil
}
