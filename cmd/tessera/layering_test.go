package main

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestCommandsDoNotImportTransport: the operator commands call the use
// cases (internal/auth) and print internal/view; neither may reach into
// the HTTP API. Only serve starts the API, and it does so through
// internal/server. Imports are read from the sources (direct imports are
// what a file is responsible for), so the test names the file at fault.
func TestCommandsDoNotImportTransport(t *testing.T) {
	transport := []string{"github.com/tessera-id/tessera/internal/httpapi", "github.com/gin-gonic/gin"}
	tests := []struct {
		name      string
		dir       string
		forbidden []string
	}{
		{"cmd/tessera", ".", transport},
		{"internal/view", "../../internal/view", append([]string{"net/http"}, transport...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files, err := filepath.Glob(filepath.Join(tt.dir, "*.go"))
			if err != nil {
				t.Fatal(err)
			}
			checked := 0
			for _, f := range files {
				if strings.HasSuffix(f, "_test.go") {
					continue
				}
				checked++
				for _, path := range imports(t, f) {
					for _, bad := range tt.forbidden {
						if path == bad || strings.HasPrefix(path, bad+"/") {
							t.Errorf("%s imports %s: print internal/view and call internal/auth instead", f, path)
						}
					}
				}
			}
			if checked == 0 {
				t.Fatalf("no source files in %s", tt.dir)
			}
		})
	}
}

// imports returns the import paths of the Go file at path.
func imports(t *testing.T, path string) []string {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := parser.ParseFile(token.NewFileSet(), path, src, parser.ImportsOnly)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var out []string
	for _, imp := range f.Imports {
		p, _ := strconv.Unquote(imp.Path.Value)
		out = append(out, p)
	}
	return out
}
