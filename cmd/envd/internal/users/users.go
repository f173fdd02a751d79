// Package users resolves guest user accounts (from /etc/passwd and /etc/group).
package users

import (
	"errors"
	"fmt"
	"os"
	"os/user"
	"strconv"
)

// ErrUnknownUser is returned when no account has the requested name.
var ErrUnknownUser = errors.New("unknown user")

// User is a resolved account.
type User struct {
	Name   string
	UID    uint32
	GID    uint32
	Groups []uint32
	Home   string
}

// Lookup resolves an account by name.
func Lookup(name string) (*User, error) {
	u, err := user.Lookup(name)
	if err != nil {
		var unknown user.UnknownUserError
		if errors.As(err, &unknown) {
			return nil, fmt.Errorf("%w: %q", ErrUnknownUser, name)
		}
		return nil, fmt.Errorf("look up user %q: %w", name, err)
	}
	uid, err := strconv.ParseUint(u.Uid, 10, 32)
	if err != nil {
		return nil, fmt.Errorf("user %q: bad uid %q", name, u.Uid)
	}
	gid, err := strconv.ParseUint(u.Gid, 10, 32)
	if err != nil {
		return nil, fmt.Errorf("user %q: bad gid %q", name, u.Gid)
	}
	res := &User{Name: u.Username, UID: uint32(uid), GID: uint32(gid), Home: u.HomeDir}
	if ids, err := u.GroupIds(); err == nil {
		for _, s := range ids {
			if g, err := strconv.ParseUint(s, 10, 32); err == nil {
				res.Groups = append(res.Groups, uint32(g))
			}
		}
	}
	if res.Home == "" {
		res.Home = "/"
	}
	return res, nil
}

// Current is the account envd runs as (the default user in debug mode).
func Current() (*User, error) {
	u, err := user.Current()
	if err != nil {
		return nil, fmt.Errorf("current user: %w", err)
	}
	return Lookup(u.Username)
}

// CanSwitch reports whether envd may run processes as other users (it is root).
func CanSwitch() bool { return os.Geteuid() == 0 }

// NeedsSwitch reports whether acting as u needs a credential change.
func (u *User) NeedsSwitch() bool {
	return CanSwitch() && (u.UID != uint32(os.Geteuid()) || u.GID != uint32(os.Getegid()))
}
