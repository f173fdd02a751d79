package api

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/wrenn-dev/wrenn/cmd/envd/internal/auth"
	"github.com/wrenn-dev/wrenn/cmd/envd/internal/users"
)

// initRequest is POST /init's body (E2B's fields plus Wrenn's hostname and entropy,
// which give each clone of a template snapshot its own identity).
type initRequest struct {
	EnvVars        map[string]string `json:"envVars"`
	AccessToken    *string           `json:"accessToken"`
	Timestamp      *time.Time        `json:"timestamp"`
	DefaultUser    *string           `json:"defaultUser"`
	DefaultWorkdir *string           `json:"defaultWorkdir"`
	Hostname       *string           `json:"hostname"`
	Entropy        *string           `json:"entropy"` // base64 bytes mixed into the guest's RNG
}

// initHandler applies run-time configuration. Changing an existing access token
// needs the current one in X-Access-Token; guest-wide effects (clock, hostname,
// entropy) apply only when envd is the guest's init, never to a debug host.
func initHandler(d Deps) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req initRequest
		body := http.MaxBytesReader(w, r.Body, 1<<20)
		if err := json.NewDecoder(body).Decode(&req); err != nil && !errors.Is(err, io.EOF) {
			auth.WriteError(w, http.StatusBadRequest, "invalid /init body: "+err.Error())
			return
		}
		if req.AccessToken != nil {
			cur := d.Defaults.AccessToken()
			if cur != "" && cur != *req.AccessToken && !d.Defaults.TokenMatches(r.Header.Get(auth.TokenHeader)) {
				auth.WriteError(w, http.StatusUnauthorized, "access token already set; present it to change it")
				return
			}
		}
		if req.DefaultUser != nil && *req.DefaultUser != "" {
			if _, err := users.Lookup(*req.DefaultUser); err != nil {
				auth.WriteError(w, http.StatusBadRequest, err.Error())
				return
			}
		}
		var entropy []byte
		if req.Entropy != nil {
			var err error
			if entropy, err = base64.StdEncoding.DecodeString(*req.Entropy); err != nil {
				auth.WriteError(w, http.StatusBadRequest, "entropy must be base64")
				return
			}
		}
		if d.Guest {
			if err := applyGuest(req.Timestamp, req.Hostname, entropy); err != nil {
				d.Logger.Warn("init: guest settings", "err", err)
			}
		}
		if req.EnvVars != nil {
			d.Defaults.MergeEnvVars(req.EnvVars)
		}
		if req.AccessToken != nil {
			d.Defaults.SetAccessToken(*req.AccessToken)
		}
		if req.DefaultUser != nil && *req.DefaultUser != "" {
			d.Defaults.SetUser(*req.DefaultUser)
		}
		if req.DefaultWorkdir != nil && *req.DefaultWorkdir != "" {
			d.Defaults.SetWorkdir(*req.DefaultWorkdir)
		}
		w.Header().Set("X-Envd-Version", d.Version)
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusNoContent)
	})
}
