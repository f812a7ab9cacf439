package access

import (
	"container/list"
	"crypto/hmac"
	"sync"
	"time"
)

// Bounds of the session table. An entry is about 200 bytes, so a full
// table is a few megabytes; one user signing in over and over ends only
// their own oldest sessions.
const (
	maxSessions        = 20000
	maxSessionsPerUser = 20
)

// sessionTable is the server's record of live sessions, keyed by the
// random id the session cookie carries. Signing out removes the id, so a
// copied or kept cookie is worth nothing afterwards; each session also
// notes a fingerprint of the user's password entry, and a session whose
// user is gone from the access file or whose entry has changed is ended
// (Reloading shares one table across versions of the file and sweeps it
// at each reload). It lives in memory only: a restart ends every session
// and users sign in again.
type sessionTable struct {
	mu      sync.Mutex
	max     int // sessions in all
	perUser int // sessions of one user
	byID    map[string]*list.Element
	byUser  map[string][]*list.Element // oldest first
	order   *list.List                 // of *session, oldest first
}

// session is one signed-in browser.
type session struct {
	id, user    string
	fingerprint string // of the user's password entry when signing in
	expires     time.Time
}

func newSessionTable() *sessionTable {
	return &sessionTable{max: maxSessions, perUser: maxSessionsPerUser, byID: map[string]*list.Element{},
		byUser: map[string][]*list.Element{}, order: list.New()}
}

// create records a new session of user until exp and returns its id. To
// make room it ends expired sessions, then the user's oldest beyond
// perUser, then the oldest of all beyond max.
func (t *sessionTable) create(user, fingerprint string, now, exp time.Time) string {
	id := randomToken() + randomToken() // 256 bits
	t.mu.Lock()
	defer t.mu.Unlock()
	for e := t.order.Front(); e != nil; {
		next := e.Next()
		if !now.Before(e.Value.(*session).expires) {
			t.remove(e)
		}
		e = next
	}
	for len(t.byUser[user]) >= t.perUser {
		t.remove(t.byUser[user][0])
	}
	for t.order.Len() >= t.max {
		t.remove(t.order.Front())
	}
	e := t.order.PushBack(&session{id: id, user: user, fingerprint: fingerprint, expires: exp})
	t.byID[id] = e
	t.byUser[user] = append(t.byUser[user], e)
	return id
}

// lookup returns the user of a live session whose fingerprint is still
// current(user) says; an expired or outdated session is ended.
func (t *sessionTable) lookup(id string, now time.Time, current func(user string) (string, bool)) (string, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	e, ok := t.byID[id]
	if !ok {
		return "", false
	}
	s := e.Value.(*session)
	if fp, ok := current(s.user); !ok || !hmac.Equal([]byte(fp), []byte(s.fingerprint)) || !now.Before(s.expires) {
		t.remove(e)
		return "", false
	}
	return s.user, true
}

// revoke ends a session.
func (t *sessionTable) revoke(id string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if e, ok := t.byID[id]; ok {
		t.remove(e)
	}
}

// sweep ends every session whose user current no longer knows or whose
// password entry has changed: a new version of the access file is in force.
func (t *sessionTable) sweep(current func(user string) (string, bool)) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for e := t.order.Front(); e != nil; {
		next := e.Next()
		s := e.Value.(*session)
		if fp, ok := current(s.user); !ok || !hmac.Equal([]byte(fp), []byte(s.fingerprint)) {
			t.remove(e)
		}
		e = next
	}
}

// len is the number of sessions kept.
func (t *sessionTable) len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.order.Len()
}

// remove drops e; t.mu is held.
func (t *sessionTable) remove(e *list.Element) {
	s := e.Value.(*session)
	t.order.Remove(e)
	delete(t.byID, s.id)
	mine := t.byUser[s.user]
	for i, x := range mine {
		if x == e {
			mine = append(mine[:i:i], mine[i+1:]...)
			break
		}
	}
	if len(mine) == 0 {
		delete(t.byUser, s.user)
	} else {
		t.byUser[s.user] = mine
	}
}
