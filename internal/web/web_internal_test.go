package web

import (
	"bytes"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/tessera-id/tessera/internal/config"
	"github.com/tessera-id/tessera/internal/token"
)

func init() { gin.SetMode(gin.ReleaseMode) }

func newTestPages(t *testing.T, mutate func(*config.Config)) (*Pages, *bytes.Buffer) {
	t.Helper()
	cfg := config.Default()
	if mutate != nil {
		mutate(&cfg)
	}
	var logs bytes.Buffer
	p, err := New(Options{Refresher: token.NewRefresher(bytes.Repeat([]byte{1}, 32)), Config: cfg,
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	return p, &logs
}

// TestBrandContrast: whatever accent is configured, links and primary
// buttons keep WCAG AA contrast in both themes.
func TestBrandContrast(t *testing.T) {
	for _, accent := range []string{"#2f5fd0", "#ffd700", "#fff", "#000", "#0a0", "#7a3fd0", "#e11d48", "#00ffff"} {
		t.Run(accent, func(t *testing.T) {
			pal, err := newPalette(accent)
			if err != nil {
				t.Fatal(err)
			}
			light, _ := parseHex(pal.Light)
			dark, _ := parseHex(pal.Dark)
			if c := contrast(light, white); c < minContrast {
				t.Errorf("light accent %s on white: %.2f", pal.Light, c)
			}
			if c := contrast(dark, darkCard); c < minContrast {
				t.Errorf("dark accent %s on the dark card: %.2f", pal.Dark, c)
			}
			if c := contrast(dark, rgb{0x11, 0x13, 0x17}); c < minContrast {
				t.Errorf("dark button text on %s: %.2f", pal.Dark, c)
			}
		})
	}
	if pal, _ := newPalette("#2f5fd0"); pal.Light != "#2f5fd0" {
		t.Errorf("a readable accent was changed to %s", pal.Light)
	}
}

// TestStylesheet: one stylesheet under 15 KB carrying both accents.
func TestStylesheet(t *testing.T) {
	p, _ := newTestPages(t, func(c *config.Config) { c.BrandColor = "#ffd700" })
	if len(p.css) >= 15<<10 {
		t.Errorf("stylesheet is %d bytes, want under 15 KB", len(p.css))
	}
	pal, _ := newPalette("#ffd700")
	for _, want := range []string{pal.Light, pal.Dark, "prefers-color-scheme: dark"} {
		if !bytes.Contains(p.css, []byte(want)) {
			t.Errorf("stylesheet lacks %s", want)
		}
	}
}

// TestTemplateErrorPage: a template that fails is logged and answered with
// the error page carrying the request id, never half a page or a panic.
func TestTemplateErrorPage(t *testing.T) {
	p, logs := newTestPages(t, nil)
	for _, tt := range []struct {
		name string
		h    gin.HandlerFunc
	}{
		{"wrong view", func(c *gin.Context) { p.render(c, http.StatusOK, "signin", ErrorView{}) }},
		{"panic", func(*gin.Context) { panic("boom") }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			logs.Reset()
			w := httptest.NewRecorder()
			c, _ := gin.CreateTestContext(w)
			c.Request = httptest.NewRequest("GET", "/signin", nil)
			c.Writer.Header().Set("X-Request-ID", "req-42")
			p.handle(tt.h)(c)
			body := w.Body.String()
			if w.Code != http.StatusInternalServerError || !strings.Contains(body, "req-42") || !strings.Contains(body, "Something went wrong") {
				t.Errorf("status %d, body:\n%s", w.Code, body)
			}
			if strings.Contains(body, "<form") || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") {
				t.Errorf("not the error page alone: %s\n%s", w.Header().Get("Content-Type"), body)
			}
			if !strings.Contains(logs.String(), "request_id=req-42") {
				t.Errorf("not logged with the request id: %s", logs)
			}
			if w.Header().Get("Content-Security-Policy") == "" {
				t.Error("the error page has no CSP")
			}
		})
	}
}

// TestMessagesCoverEveryKey: every key the templates and the code use is
// in the English file, and the file has no unused key.
func TestMessagesCoverEveryKey(t *testing.T) {
	msg, err := loadCatalog(files, "en")
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	tmplKey := regexp.MustCompile(`\bt "([a-z_.]+)"`)
	codeKey := regexp.MustCompile(`(?:text\(|notice\(c, )"([a-z_.]+)"|"((?:signin|signup|forgot|reset|verify|notice|form|error|signedin)\.[a-z_]+)"`)
	_ = fs.WalkDir(files, "templates", func(path string, d fs.DirEntry, _ error) error {
		if !d.IsDir() {
			b, _ := fs.ReadFile(files, path)
			for _, m := range tmplKey.FindAllSubmatch(b, -1) {
				used[string(m[1])] = true
			}
		}
		return nil
	})
	for _, f := range []string{"signin.go", "signup.go", "recovery.go", "forms.go", "web.go", "authorize.go", "logout.go", "signin_mfa.go"} {
		b := readFile(t, f)
		for _, m := range codeKey.FindAllSubmatch(b, -1) {
			used[string(m[1])+string(m[2])] = true
		}
	}
	for k := range used {
		if _, ok := msg[k]; !ok {
			t.Errorf("key %q is used but not in messages/en.json", k)
		}
	}
	for k := range msg {
		if !used[k] {
			t.Errorf("key %q of messages/en.json is never used", k)
		}
	}
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	f, err := http.Dir(".").Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestSafeReturn: only paths under /oauth/authorize? and /account pass.
func TestSafeReturn(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"/oauth/authorize?client_id=a", "/oauth/authorize?client_id=a"},
		{"/account", "/account"},
		{"/account?tab=devices", "/account?tab=devices"},
		{"//evil.example", ""},
		{`/\evil.example`, ""},
		{"https://evil.example", ""},
		{"/%2F%2Fevil", ""},
		{"/oauth/authorize/../../evil?x", ""},
		{"/oauth/authorize%3F", ""},
		{"/account\x00", ""},
		{"/account/é", ""},
		{"/accountant", ""},
		{"", ""},
	} {
		if got := safeReturn(tt.in); got != tt.want {
			t.Errorf("safeReturn(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
