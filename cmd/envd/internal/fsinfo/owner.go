package fsinfo

import (
	"os/user"
	"strconv"
	"sync"
	"time"
)

// nameTTL bounds how long a uid/gid→name answer is reused: listing a large
// directory must not parse /etc/passwd once per entry, yet accounts added later
// (useradd in the sandbox) must show up soon.
const nameTTL = 10 * time.Second

type cachedName struct {
	name    string
	expires time.Time
}

// nameCache maps ids to names with expiry; lookups fall back to the number.
type nameCache struct {
	mu     sync.Mutex
	m      map[uint32]cachedName
	lookup func(string) (string, error)
}

func (c *nameCache) get(id uint32) string {
	now := time.Now()
	c.mu.Lock()
	if v, ok := c.m[id]; ok && now.Before(v.expires) {
		c.mu.Unlock()
		return v.name
	}
	c.mu.Unlock()
	s := strconv.FormatUint(uint64(id), 10)
	name, err := c.lookup(s)
	if err != nil || name == "" {
		name = s
	}
	c.mu.Lock()
	if len(c.m) > 4096 {
		clear(c.m)
	}
	c.m[id] = cachedName{name: name, expires: now.Add(nameTTL)}
	c.mu.Unlock()
	return name
}

var (
	owners = &nameCache{m: map[uint32]cachedName{}, lookup: func(id string) (string, error) {
		u, err := user.LookupId(id)
		if err != nil {
			return "", err
		}
		return u.Username, nil
	}}
	groups = &nameCache{m: map[uint32]cachedName{}, lookup: func(id string) (string, error) {
		g, err := user.LookupGroupId(id)
		if err != nil {
			return "", err
		}
		return g.Name, nil
	}}
)

func ownerName(uid uint32) string { return owners.get(uid) }

func groupName(gid uint32) string { return groups.get(gid) }
