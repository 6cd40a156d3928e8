package jwtverify

import "time"

// SetPollFloor lowers MinPollOverride for the duration of a test, so the
// polling loop can be watched without waiting seconds.
func SetPollFloor(d time.Duration) (restore func()) {
	old := pollFloor
	pollFloor = d
	return func() { pollFloor = old }
}

// Backoff exposes the watcher's backoff schedule.
var Backoff = backoff

// HeaderCacheLen is how many decoded headers v keeps.
func HeaderCacheLen(v *Verifier) int { return int(v.headers.n.Load()) }

// MaxCachedHeaders exposes the header cache's bound.
const MaxCachedHeaders = maxCachedHeaders
