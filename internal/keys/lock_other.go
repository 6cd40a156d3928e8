//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package keys

// lockDir is a no-op where flock is unavailable; bootstrap documents what
// that costs.
func lockDir(string) (unlock func(), err error) { return func() {}, nil }
