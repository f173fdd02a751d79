// Package state holds what /init configures at run time: env vars, access token,
// default user and workdir. Every service reads it through one *Defaults.
package state

import (
	"crypto/subtle"
	"maps"
	"sync"
)

// Defaults is the mutable, concurrency-safe runtime configuration of envd.
type Defaults struct {
	mu          sync.RWMutex
	envVars     map[string]string
	accessToken string
	user        string
	workdir     string
}

// New returns Defaults with the given initial user and workdir.
func New(user, workdir string) *Defaults {
	return &Defaults{envVars: map[string]string{}, user: user, workdir: workdir}
}

// EnvVars returns a copy of the env vars set by /init.
func (d *Defaults) EnvVars() map[string]string {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return maps.Clone(d.envVars)
}

// MergeEnvVars adds or replaces env vars.
func (d *Defaults) MergeEnvVars(vars map[string]string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	maps.Copy(d.envVars, vars)
}

// User is the default user ("" when none is set).
func (d *Defaults) User() string {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.user
}

// Workdir is the default working directory ("" when none is set).
func (d *Defaults) Workdir() string {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.workdir
}

// SetUser sets the default user.
func (d *Defaults) SetUser(u string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.user = u
}

// SetWorkdir sets the default working directory.
func (d *Defaults) SetWorkdir(w string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.workdir = w
}

// AccessToken is the token clients must present ("" when auth is off).
func (d *Defaults) AccessToken() string {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.accessToken
}

// SetAccessToken sets the token; after that, every non-exempt request needs it.
func (d *Defaults) SetAccessToken(t string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.accessToken = t
}

// TokenMatches reports whether t equals the access token, in constant time.
// With no token set every request matches.
func (d *Defaults) TokenMatches(t string) bool {
	want := d.AccessToken()
	if want == "" {
		return true
	}
	return subtle.ConstantTimeCompare([]byte(want), []byte(t)) == 1
}
