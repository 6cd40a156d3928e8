package jwtverify_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImports keeps the package's promise (doc.go): no Tessera internals
// and no Gin among its dependencies, direct or not, so any resource server
// can import it. ginjwt may import Gin, never internals.
func TestImports(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go tool is not on PATH")
	}
	for _, tc := range []struct {
		pkg       string
		forbidden []string
	}{
		{"github.com/tessera-id/tessera/pkg/jwtverify", []string{"github.com/tessera-id/tessera/internal/", "github.com/gin-gonic/"}},
		{"github.com/tessera-id/tessera/pkg/jwtverify/ginjwt", []string{"github.com/tessera-id/tessera/internal/"}},
		{"github.com/tessera-id/tessera/pkg/jwtverify/example", []string{"github.com/tessera-id/tessera/internal/"}},
	} {
		out, err := exec.Command(goTool, "list", "-deps", tc.pkg).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", tc.pkg, err)
		}
		for _, dep := range strings.Fields(string(out)) {
			for _, bad := range tc.forbidden {
				if strings.HasPrefix(dep, bad) {
					t.Errorf("%s depends on %s", tc.pkg, dep)
				}
			}
		}
	}
}
