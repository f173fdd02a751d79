package auth

import (
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/wrenn-dev/wrenn/cmd/envd/internal/state"
)

func TestUserName(t *testing.T) {
	basic := func(s string) string { return "Basic " + base64.StdEncoding.EncodeToString([]byte(s)) }
	tests := []struct {
		name, header, def, want string
		err                     error
	}{
		{"basic header", basic("alice:"), "root", "alice", nil},
		{"default user", "", "user", "user", nil},
		{"empty basic falls back", basic(":"), "user", "user", nil},
		{"no user anywhere", "", "", "", ErrNoUser},
		{"bearer is malformed", "Bearer x", "user", "", ErrBadAuthorization},
		{"bad base64", "Basic !!!", "user", "", ErrBadAuthorization},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			if tc.header != "" {
				h.Set("Authorization", tc.header)
			}
			got, err := UserName(h, state.New(tc.def, ""))
			if !errors.Is(err, tc.err) || got != tc.want {
				t.Fatalf("got (%q, %v), want (%q, %v)", got, err, tc.want, tc.err)
			}
		})
	}
}

func TestMiddleware(t *testing.T) {
	d := state.New("root", "")
	d.SetAccessToken("secret")
	h := Middleware(d, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusTeapot) }))
	tests := []struct {
		name, method, path, token string
		want                      int
	}{
		{"health is open", http.MethodGet, "/health", "", http.StatusTeapot},
		{"init is open", http.MethodPost, "/init", "", http.StatusTeapot},
		{"files check themselves", http.MethodGet, "/files", "", http.StatusTeapot},
		{"rpc without token", http.MethodPost, "/process.Process/List", "", http.StatusUnauthorized},
		{"rpc with wrong token", http.MethodPost, "/process.Process/List", "nope", http.StatusUnauthorized},
		{"rpc with token", http.MethodPost, "/process.Process/List", "secret", http.StatusTeapot},
		{"envs without token", http.MethodGet, "/envs", "", http.StatusUnauthorized},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(tc.method, tc.path, nil)
			if tc.token != "" {
				r.Header.Set(TokenHeader, tc.token)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tc.want {
				t.Fatalf("status %d, want %d", w.Code, tc.want)
			}
		})
	}
}

func TestCheckFileAccess(t *testing.T) {
	d := state.New("root", "")
	d.SetAccessToken("tok")
	future := time.Now().Add(time.Minute).Unix()
	past := time.Now().Add(-time.Minute).Unix()
	tests := []struct {
		name, query, header string
		ok                  bool
	}{
		{"header token", "", "tok", true},
		{"wrong header token", "", "bad", false},
		{"no token, no signature", "", "", false},
		{"valid signature", "signature=" + url.QueryEscape(Signature("/a", "read", "", "tok", 0)), "", true},
		{"signature for write used to read", "signature=" + url.QueryEscape(Signature("/a", "write", "", "tok", 0)), "", false},
		{"valid expiring signature", "signature=" + url.QueryEscape(Signature("/a", "read", "", "tok", future)) +
			"&signature_expiration=" + strconv.FormatInt(future, 10), "", true},
		{"expired signature", "signature=" + url.QueryEscape(Signature("/a", "read", "", "tok", past)) +
			"&signature_expiration=" + strconv.FormatInt(past, 10), "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/files?path=/a&"+tc.query, nil)
			if tc.header != "" {
				r.Header.Set(TokenHeader, tc.header)
			}
			err := CheckFileAccess(r, d, "/a", "read", "")
			if (err == nil) != tc.ok {
				t.Fatalf("err = %v, want ok=%v", err, tc.ok)
			}
		})
	}
}
