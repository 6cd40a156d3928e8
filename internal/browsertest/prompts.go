package browsertest

import (
	"context"
	"sync"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// Prompts records what would have opened a browser dialog in a tab: an
// HTTP authentication challenge (the native user-name and password
// dialog, which a page cannot prevent; headless Chromium has no such
// dialog and fails the request instead) and JavaScript dialogs. Each is
// dismissed as a person would by pressing Cancel.
type Prompts struct {
	mu      sync.Mutex
	auth    []string
	dialogs []string
}

// Auth lists the URLs whose responses asked the browser for credentials.
func (p *Prompts) Auth() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.auth...)
}

// Dialogs lists the messages of JavaScript dialogs.
func (p *Prompts) Dialogs() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.dialogs...)
}

// WatchPrompts starts recording the tab's prompts. It intercepts every
// request of the tab (DevTools can only see authentication challenges of
// requests it intercepts) and lets each through unchanged.
func (tab *Tab) WatchPrompts() *Prompts {
	tab.t.Helper()
	p := &Prompts{}
	ctx := tab.ctx
	paused := chromedp.Events(ctx, fetch.RequestPaused)
	auth := chromedp.Events(ctx, fetch.AuthRequired)
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for ev, err := range paused {
			if err != nil {
				return
			}
			_, _ = chromedp.Call(ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: ev.RequestID})
		}
	}()
	go func() {
		for ev, err := range auth {
			if err != nil {
				return
			}
			p.mu.Lock()
			p.auth = append(p.auth, ev.Request.URL)
			p.mu.Unlock()
			_, _ = chromedp.Call(ctx, fetch.ContinueWithAuth, fetch.ContinueWithAuthParams{
				RequestID:             ev.RequestID,
				AuthChallengeResponse: &fetch.AuthChallengeResponse{Response: fetch.AuthChallengeResponseResponseCancelAuth},
			})
		}
	}()
	go func() {
		for ev, err := range dialogs {
			if err != nil {
				return
			}
			p.mu.Lock()
			p.dialogs = append(p.dialogs, ev.Message)
			p.mu.Unlock()
			_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		}
	}()
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if _, err := chromedp.Call(cctx, fetch.Enable, fetch.EnableParams{
		Patterns:           []*fetch.RequestPattern{{URLPattern: "*"}},
		HandleAuthRequests: new(true),
	}); err != nil {
		tab.t.Fatalf("watch prompts: %v", err)
	}
	return p
}
