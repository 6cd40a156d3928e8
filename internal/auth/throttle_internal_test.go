package auth

import (
	"fmt"
	"strings"
	"testing"
)

// TestThrottleKeysBounded: however many made-up names are tried, their
// counters come from a fixed set of unknownNameBuckets keys; an account
// keeps a counter of its own; the bucket of a name depends on the server
// secret, so it cannot be chosen from outside.
func TestThrottleKeysBounded(t *testing.T) {
	s := &Service{secret: []byte("server secret one")}
	other := &Service{secret: []byte("server secret two")}
	const names = 2 * unknownNameBuckets
	keys := map[string]bool{}
	moved := 0
	for i := range names {
		name := fmt.Sprintf("made-up-%d@example.com", i)
		keys[fmt.Sprint(s.nameBucket(name))] = true
		if i%64 != 0 {
			continue
		}
		k, addr := s.throttleKeys(name, "", false, "192.0.2.1")
		if k != fmt.Sprintf("bucket:%d", s.nameBucket(name)) || addr != "ip:192.0.2.1" {
			t.Fatalf("unknown name %q: keys %q, %q", name, k, addr)
		}
		if again, _ := s.throttleKeys(strings.ToUpper(name), "", false, "192.0.2.1"); again != k {
			t.Fatalf("the same name, spelled differently, moved from %s to %s", k, again)
		}
		if o, _ := other.throttleKeys(name, "", false, "192.0.2.1"); o != k {
			moved++
		}
	}
	if len(keys) > unknownNameBuckets {
		t.Fatalf("%d made-up names used %d counters, want at most %d", names, len(keys), unknownNameBuckets)
	}
	// Two names per bucket on average fill 1-1/e² (86%) of them.
	if len(keys) < unknownNameBuckets*8/10 {
		t.Errorf("%d names fell into only %d of %d buckets", names, len(keys), unknownNameBuckets)
	}
	if moved < names/64*9/10 {
		t.Errorf("another secret moved only %d of %d names", moved, names/64)
	}

	tests := []struct {
		name, email, username, want string
	}{
		{"account by e-mail", "Ada@Example.com", "", "account:ada@example.com"},
		{"account by username", "", "  Ada ", "account:ada"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, _ := s.throttleKeys(tt.email, tt.username, true, "192.0.2.1"); got != tt.want {
				t.Errorf("throttleKeys = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestThrottleAddressKeys: an IPv6 caller is counted per /64, the block one
// subscriber usually holds; IPv4, IPv4-mapped IPv6 and anything that is not
// an address are counted as given.
func TestThrottleAddressKeys(t *testing.T) {
	s := &Service{secret: []byte("secret")}
	tests := []struct {
		name, ip, want string
	}{
		{"ipv4", "192.0.2.7", "ip:192.0.2.7"},
		{"ipv6", "2001:db8:1:2:3:4:5:6", "ip:2001:db8:1:2::/64"},
		{"same /64", "2001:db8:1:2:ffff:ffff:ffff:ffff", "ip:2001:db8:1:2::/64"},
		{"next /64", "2001:db8:1:3::1", "ip:2001:db8:1:3::/64"},
		{"ipv4-mapped", "::ffff:192.0.2.7", "ip:192.0.2.7"},
		{"zone", "fe80::1%eth0", "ip:fe80::/64"},
		{"not an address", "unknown", "ip:unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, got := s.throttleKeys("a@example.com", "", true, tt.ip); got != tt.want {
				t.Errorf("address key of %q = %q, want %q", tt.ip, got, tt.want)
			}
		})
	}
}
