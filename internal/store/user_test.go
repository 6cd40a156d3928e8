package store_test

import (
	"slices"
	"testing"

	"github.com/tessera-id/tessera/internal/store"
)

// TestUserRoles: "admin" for an admin, then the groups, sorted, each once;
// nil for a plain account.
func TestUserRoles(t *testing.T) {
	for _, tc := range []struct {
		admin  bool
		groups []string
		want   []string
	}{
		{false, nil, nil},
		{true, nil, []string{"admin"}},
		{false, []string{"staff", "billing"}, []string{"billing", "staff"}},
		{true, []string{"staff", "admin", "staff"}, []string{"admin", "staff"}},
	} {
		u := store.User{IsAdmin: tc.admin, Groups: tc.groups}
		if got := u.Roles(); !slices.Equal(got, tc.want) || (tc.want == nil) != (got == nil) {
			t.Errorf("admin=%v groups=%v: Roles() = %#v, want %#v", tc.admin, tc.groups, got, tc.want)
		}
	}
}
