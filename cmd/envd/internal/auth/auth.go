// Package auth checks envd's access token and picks the user a request acts as.
package auth

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/wrenn-dev/wrenn/cmd/envd/internal/state"
	"github.com/wrenn-dev/wrenn/cmd/envd/internal/users"
)

// TokenHeader carries the access token set by /init.
const TokenHeader = "X-Access-Token"

var (
	// ErrNoUser means the request named no user and no default user is set.
	ErrNoUser = errors.New("no user specified")
	// ErrBadAuthorization means the Authorization header is not "Basic base64(user:)".
	ErrBadAuthorization = errors.New("malformed Authorization header")
	// ErrBadSignature means a signed /files URL failed verification or expired.
	ErrBadSignature = errors.New("invalid or expired signature")
)

// UserName picks the user named by `Authorization: Basic base64("<user>:")`, falling
// back to the default user.
func UserName(h http.Header, d *state.Defaults) (string, error) {
	if v := h.Get("Authorization"); v != "" {
		enc, ok := strings.CutPrefix(v, "Basic ")
		if !ok {
			return "", ErrBadAuthorization
		}
		raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(enc))
		if err != nil {
			return "", ErrBadAuthorization
		}
		name, _, _ := strings.Cut(string(raw), ":")
		if name != "" {
			return name, nil
		}
	}
	if u := d.User(); u != "" {
		return u, nil
	}
	return "", ErrNoUser
}

// User resolves the account a request acts as; errors wrap ErrNoUser,
// ErrBadAuthorization or users.ErrUnknownUser.
func User(h http.Header, d *state.Defaults) (*users.User, error) {
	name, err := UserName(h, d)
	if err != nil {
		return nil, err
	}
	return users.Lookup(name)
}

// exempt lists the routes that check the token themselves or need none.
func exempt(r *http.Request) bool {
	switch {
	case r.URL.Path == "/health" && r.Method == http.MethodGet:
		return true
	case r.URL.Path == "/init" && r.Method == http.MethodPost:
		return true
	case r.URL.Path == "/files" && (r.Method == http.MethodGet || r.Method == http.MethodPost):
		return true
	case r.Method == http.MethodOptions:
		return true // CORS preflight carries no credentials
	}
	return false
}

// Middleware rejects requests without the right X-Access-Token once one is set.
func Middleware(d *state.Defaults, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !exempt(r) && !d.TokenMatches(r.Header.Get(TokenHeader)) {
			WriteError(w, http.StatusUnauthorized, "invalid access token")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// Signature computes E2B's signed-URL value for path, operation ("read"|"write"),
// user and token, with an optional expiry (unix seconds, 0 for none).
func Signature(path, operation, user, token string, expires int64) string {
	s := fmt.Sprintf("%s:%s:%s:%s", path, operation, user, token)
	if expires > 0 {
		s += ":" + strconv.FormatInt(expires, 10)
	}
	sum := sha256.Sum256([]byte(s))
	return "v1_" + strings.TrimRight(base64.StdEncoding.EncodeToString(sum[:]), "=")
}

// CheckFileAccess authorizes a /files request: a header token must match; without
// one a valid signature is needed, unless no token is set at all.
func CheckFileAccess(r *http.Request, d *state.Defaults, path, operation, user string) error {
	token := d.AccessToken()
	if h := r.Header.Get(TokenHeader); h != "" {
		if !d.TokenMatches(h) {
			return ErrBadSignature
		}
		return nil
	}
	if token == "" {
		return nil
	}
	q := r.URL.Query()
	sig := q.Get("signature")
	var exp int64
	if e := q.Get("signature_expiration"); e != "" {
		v, err := strconv.ParseInt(e, 10, 64)
		if err != nil || time.Now().Unix() > v {
			return ErrBadSignature
		}
		exp = v
	}
	want := Signature(path, operation, user, token, exp)
	if sig == "" || subtle.ConstantTimeCompare([]byte(sig), []byte(want)) != 1 {
		return ErrBadSignature
	}
	return nil
}
