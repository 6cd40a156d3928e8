package browsertest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// RequireEnv makes a missing Chromium fail the tests instead of skipping
// them; CI sets it.
const RequireEnv = "TESSERA_TEST_REQUIRE_BROWSER"

// chromiumNames are looked up in PATH, Debian's package first.
var chromiumNames = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}

// shared is the package's one browser, started on first use and stopped by
// Main.
var shared struct {
	once   sync.Once
	err    error
	skip   string
	cert   *certificate
	ctx    context.Context // a chromedp context holding the browser
	cancel func()
	alloc  func()
}

// Main runs a test package's tests and then stops its browser. A package
// with browser tests calls it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	if shared.cancel != nil {
		shared.cancel()
		shared.alloc()
	}
	os.Exit(code)
}

// chromiumPath finds the browser: TESSERA_TEST_CHROMIUM when set (a path
// that is not there counts as no browser), otherwise the first of
// chromiumNames in PATH.
func chromiumPath() string {
	if p := os.Getenv("TESSERA_TEST_CHROMIUM"); p != "" {
		if _, err := exec.LookPath(p); err != nil {
			return ""
		}
		return p
	}
	for _, n := range chromiumNames {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	return ""
}

// start launches the shared browser once. A missing browser sets skip; a
// browser that is there but does not start sets err.
func start() {
	path := chromiumPath()
	if path == "" {
		shared.skip = "no Chromium found (apt-get install chromium)"
		return
	}
	cert, err := newCertificate()
	if err != nil {
		shared.err = err
		return
	}
	dir, err := os.MkdirTemp("", "tessera-chromium-")
	if err != nil {
		shared.err = fmt.Errorf("profile dir: %w", err)
		return
	}
	rules := make([]string, 0, len(Hosts))
	for _, h := range Hosts {
		rules = append(rules, "MAP "+h+" 127.0.0.1")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.UserDataDir(dir),
		chromedp.DisableGPU,
		chromedp.Flag("no-sandbox", os.Geteuid() == 0), // root cannot use the sandbox
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("host-resolver-rules", strings.Join(rules, ", ")),
		chromedp.Flag("ignore-certificate-errors-spki-list", cert.spki),
		chromedp.WindowSize(1280, 800),
	)
	actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, bcancel := chromedp.NewContext(actx)
	if err := chromedp.Do(bctx); err != nil {
		bcancel()
		acancel()
		_ = os.RemoveAll(dir)
		shared.err = fmt.Errorf("start %s: %w", path, err)
		return
	}
	shared.cert, shared.ctx, shared.cancel = cert, bctx, bcancel
	shared.alloc = func() { acancel(); _ = os.RemoveAll(dir) }
}

// browser returns the shared browser's context, skipping the test when no
// Chromium is installed (failing it under TESSERA_TEST_REQUIRE_BROWSER=1).
func browser(t testing.TB) context.Context {
	t.Helper()
	shared.once.Do(start)
	if shared.skip != "" {
		if os.Getenv(RequireEnv) == "1" {
			t.Fatalf("%s, and %s=1", shared.skip, RequireEnv)
		}
		t.Skip(shared.skip + "; browser tests skipped")
	}
	if shared.err != nil {
		t.Fatalf("browser: %v", shared.err)
	}
	return shared.ctx
}

// Profile is one person's browser: its own cookies, storage, locks and
// channels (a fresh browser context), with any number of tabs.
type Profile struct {
	t   testing.TB
	ctx context.Context // the first tab; others are its children
}

// NewProfile opens a fresh profile, closed when the test ends.
func NewProfile(t testing.TB) *Profile {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser(t), chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("new profile: %v", err)
	}
	return &Profile{t: t, ctx: ctx}
}

// Tab is one tab of a profile.
type Tab struct {
	t   testing.TB
	ctx context.Context
}

// Open opens a new tab of the profile at url and waits for it to load.
func (p *Profile) Open(url string) *Tab {
	p.t.Helper()
	tab := p.NewTab()
	tab.Navigate(url)
	return tab
}

// NewTab opens a blank tab, for what must start before the first page
// (WatchPrompts).
func (p *Profile) NewTab() *Tab {
	p.t.Helper()
	ctx, cancel := chromedp.NewContext(p.ctx)
	p.t.Cleanup(cancel)
	// The first run creates the tab and binds it to its context: that
	// context must not be one with a timeout.
	if err := chromedp.Do(ctx); err != nil {
		p.t.Fatalf("new tab: %v", err)
	}
	return &Tab{t: p.t, ctx: ctx}
}

// OpenAll opens n tabs of the profile at url at once, as a browser
// restoring a window does, and waits for every one to load.
func (p *Profile) OpenAll(n int, url string) []*Tab {
	p.t.Helper()
	tabs := make([]*Tab, n)
	errs := make([]error, n)
	for i := range tabs {
		tabs[i] = p.NewTab()
	}
	var wg sync.WaitGroup
	for i, tab := range tabs {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(tab.ctx, 60*time.Second)
			defer cancel()
			errs[i] = chromedp.Do(ctx, chromedp.Navigate(url))
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			p.t.Fatalf("tab %d: navigate %s: %v", i, url, err)
		}
	}
	return tabs
}

// Navigate loads url in the tab.
func (tab *Tab) Navigate(url string) {
	tab.t.Helper()
	ctx, cancel := context.WithTimeout(tab.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		tab.t.Fatalf("navigate %s: %v", url, err)
	}
}

// Context is the tab's chromedp context, for what the helpers lack.
func (tab *Tab) Context() context.Context { return tab.ctx }

// Eval evaluates a JavaScript expression in the tab, awaits it when it is a
// promise, and decodes its JSON value into T. A thrown error fails the test.
func Eval[T any](tab *Tab, expr string) T {
	tab.t.Helper()
	v, err := TryEval[T](tab, expr)
	if err != nil {
		tab.t.Fatalf("eval %s: %v", expr, err)
	}
	return v
}

// TryEval is Eval returning the error (an exception thrown by the page,
// or a tab that is gone) instead of failing.
func TryEval[T any](tab *Tab, expr string) (T, error) {
	ctx, cancel := context.WithTimeout(tab.ctx, 30*time.Second)
	defer cancel()
	return chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
}

// WaitFor waits until the JavaScript expression cond is true in the tab,
// checking every 20 ms, and fails the test after timeout.
func WaitFor(tab *Tab, cond string, timeout time.Duration) {
	tab.t.Helper()
	ctx, cancel := context.WithTimeout(tab.ctx, timeout)
	defer cancel()
	js := `new Promise((resolve) => { const f = () => (` + cond + `) ? resolve(true) : setTimeout(f, 20); f(); })`
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js, chromedp.EvalAwaitPromise)); err != nil {
		tab.t.Fatalf("waiting for %s: %v", cond, err)
	}
}

// Screenshot saves a PNG of the tab at a viewport of width x height.
func (tab *Tab) Screenshot(path string, width, height int64) error {
	ctx, cancel := context.WithTimeout(tab.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, height)); err != nil {
		return fmt.Errorf("viewport: %w", err)
	}
	buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		return fmt.Errorf("screenshot: %w", err)
	}
	if len(buf) == 0 {
		return errors.New("screenshot: empty")
	}
	return os.WriteFile(path, buf, 0o644)
}
