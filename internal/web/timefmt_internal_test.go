package web

import (
	"testing"
	"time"
)

// TestAgo: times are said in the largest whole unit, past and future, and
// the zero time says nothing.
func TestAgo(t *testing.T) {
	p, _ := newTestPages(t, nil)
	now := time.Date(2026, 11, 30, 15, 4, 0, 0, time.UTC)
	p.now = func() time.Time { return now }
	for _, tt := range []struct {
		name string
		at   time.Time
		want string
	}{
		{"zero", time.Time{}, ""},
		{"now", now, "just now"},
		{"seconds ago", now.Add(-59 * time.Second), "just now"},
		{"one minute", now.Add(-time.Minute), "1 minute ago"},
		{"minutes", now.Add(-59 * time.Minute), "59 minutes ago"},
		{"one hour", now.Add(-90 * time.Minute), "1 hour ago"},
		{"hours", now.Add(-2 * time.Hour), "2 hours ago"},
		{"one day", now.Add(-30 * time.Hour), "1 day ago"},
		{"days", now.Add(-29 * 24 * time.Hour), "29 days ago"},
		{"months", now.Add(-95 * 24 * time.Hour), "3 months ago"},
		{"years", now.Add(-800 * 24 * time.Hour), "2 years ago"},
		{"in minutes", now.Add(5 * time.Minute), "in 5 minutes"},
		{"in one day", now.Add(25 * time.Hour), "in 1 day"},
		{"in days", now.Add(90 * 24 * time.Hour), "in 3 months"},
		{"other zone", now.In(time.FixedZone("X", 5*3600)).Add(-3 * time.Hour), "3 hours ago"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := p.ago(tt.at); got != tt.want {
				t.Errorf("ago(%s) = %q, want %q", tt.at, got, tt.want)
			}
		})
	}
}

// TestExactUTC: the hover text is the UTC time to the minute, whatever the
// zone of the value.
func TestExactUTC(t *testing.T) {
	at := time.Date(2026, 11, 30, 17, 4, 59, 0, time.FixedZone("EET", 2*3600))
	if got := exactUTC(at); got != "2026-11-30 15:04 UTC" {
		t.Errorf("exactUTC = %q", got)
	}
	if got := isoUTC(at); got != "2026-11-30T15:04:59Z" {
		t.Errorf("isoUTC = %q", got)
	}
	if exactUTC(time.Time{}) != "" || isoUTC(time.Time{}) != "" {
		t.Error("the zero time has an exact text")
	}
}

// TestReadableUA: real User-Agent headers are named as a person would.
func TestReadableUA(t *testing.T) {
	p, _ := newTestPages(t, nil)
	for _, tt := range []struct{ name, ua, want string }{
		{"chrome mac", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", "Chrome on macOS"},
		{"safari mac", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15", "Safari on macOS"},
		{"safari iphone", "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1", "Safari on iOS"},
		{"chrome iphone", "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1", "Chrome on iOS"},
		{"firefox windows", "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0", "Firefox on Windows"},
		{"edge windows", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.70", "Edge on Windows"},
		{"chrome android", "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36", "Chrome on Android"},
		{"samsung", "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36", "Samsung Internet on Android"},
		{"headless chromium linux", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36", "Chrome on Linux"},
		{"chromeos", "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", "Chrome on ChromeOS"},
		{"curl", "curl/8.5.0", "curl"},
		{"system only", "SomeApp/1.0 (Linux)", "A browser on Linux"},
		{"go client", "Go-http-client/1.1", "Unknown device"},
		{"empty", "", "Unknown device"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := p.readableUA(tt.ua); got != tt.want {
				t.Errorf("readableUA(%q) = %q, want %q", tt.ua, got, tt.want)
			}
		})
	}
}
