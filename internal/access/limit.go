package access

import (
	"slices"
	"sync"
	"time"
)

// limiter slows down and locks out password guessing: attempts per client
// address per minute, and failures per user name and per address, each
// locked out for a while after too many.
type limiter struct {
	mu            sync.Mutex
	perMinute     int
	maxFailures   int
	ipMaxFailures int
	lockout       time.Duration
	users, ips    map[string]*attempts
}

// attempts is the recent history of one user name or address.
type attempts struct {
	recent   []time.Time // attempts within the last minute (addresses only)
	failures int         // consecutive failures
	until    time.Time   // locked out until
	last     time.Time
}

// maxTracked bounds the memory an attacker can make us spend on names and
// addresses; old entries go first.
const maxTracked = 50000

func newLimiter(p *Policy) *limiter {
	return &limiter{perMinute: p.IPPerMinute, maxFailures: p.MaxFailures, ipMaxFailures: p.IPMaxFailures,
		lockout: p.Lockout, users: map[string]*attempts{}, ips: map[string]*attempts{}}
}

// verdict of an attempt before the password is checked.
type verdict int

const (
	proceed verdict = iota
	rateLimited
	lockedOut
)

// begin records an attempt for ip and user and says whether it may be
// checked; retry is when to try again otherwise.
func (l *limiter) begin(ip, user string, now time.Time) (verdict, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	a := l.get(l.ips, ip, now)
	cut := now.Add(-time.Minute)
	i := 0
	for i < len(a.recent) && !a.recent[i].After(cut) {
		i++
	}
	a.recent = a.recent[i:]
	if len(a.recent) >= l.perMinute {
		return rateLimited, a.recent[0].Add(time.Minute).Sub(now)
	}
	a.recent = append(a.recent, now)
	if now.Before(a.until) {
		return lockedOut, a.until.Sub(now)
	}
	if u := l.get(l.users, user, now); now.Before(u.until) {
		return lockedOut, u.until.Sub(now)
	}
	return proceed, 0
}

// fail records a failed attempt; it reports whether it locked user or ip out.
func (l *limiter) fail(ip, user string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	locked := false
	for _, x := range []struct {
		m   map[string]*attempts
		key string
		max int
	}{{l.users, user, l.maxFailures}, {l.ips, ip, l.ipMaxFailures}} {
		a := l.get(x.m, x.key, now)
		a.failures++
		if a.failures >= x.max {
			a.until, a.failures, locked = now.Add(l.lockout), 0, true
		}
	}
	return locked
}

// succeed clears the user's failures (not the address's: one good account
// must not reset guessing at others) and gives the address back the attempt
// begun at at: successful sign-ins spend none of its attempts per minute,
// so many people signing in from one address (an office behind NAT) do not
// lock each other out.
func (l *limiter) succeed(ip, user string, at time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.users, user)
	if a, ok := l.ips[ip]; ok {
		if i := slices.Index(a.recent, at); i >= 0 {
			a.recent = slices.Delete(a.recent, i, i+1)
		}
	}
}

func (l *limiter) get(m map[string]*attempts, key string, now time.Time) *attempts {
	a, ok := m[key]
	if !ok {
		if len(m) >= maxTracked {
			l.prune(m, now)
		}
		a = &attempts{}
		m[key] = a
	}
	a.last = now
	return a
}

// prune drops entries neither locked nor used within the lock-out time, and
// if that is not enough, the oldest half.
func (l *limiter) prune(m map[string]*attempts, now time.Time) {
	keep := max(l.lockout, time.Minute)
	for k, a := range m {
		if now.After(a.until) && now.Sub(a.last) > keep {
			delete(m, k)
		}
	}
	if len(m) < maxTracked {
		return
	}
	var cut time.Time
	n := 0
	for _, a := range m {
		if n == 0 || a.last.Before(cut) {
			cut = a.last
		}
		n++
	}
	mid := cut.Add(now.Sub(cut) / 2)
	for k, a := range m {
		if a.last.Before(mid) {
			delete(m, k)
		}
	}
}
