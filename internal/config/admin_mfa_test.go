package config

import (
	"strings"
	"testing"
)

// TestAdminMFAConfigValues: TESSERA_ADMIN_MFA takes required or optional
// and a bad value is one error naming the variable.
func TestAdminMFAConfigValues(t *testing.T) {
	for _, tt := range []struct {
		value string
		ok    bool
	}{{"required", true}, {"optional", true}, {"yes", false}, {"", false}, {"Required", false}} {
		c := Default()
		c.AdminMFA = tt.value
		err := c.Validate()
		if (err == nil) != tt.ok {
			t.Errorf("%q: Validate() = %v", tt.value, err)
		}
		if err != nil && !strings.Contains(err.Error(), `TESSERA_ADMIN_MFA="`+tt.value+`"`) {
			t.Errorf("%q: error %q does not name the variable and value", tt.value, err)
		}
	}
}
