package jwtverify

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Bounds on what this package reads from the network; a larger answer is
// an error, so a misbehaving or hostile server cannot exhaust memory.
const (
	// MaxJWKSSize bounds a JWKS response (and a discovery document).
	MaxJWKSSize = 1 << 20
	// MaxFeedSize bounds one revocation feed response.
	MaxFeedSize = 16 << 20
)

// errTooLarge is the cause of a fetch whose body exceeded its bound.
var errTooLarge = errors.New("response too large")

// get sends a GET to url and reads at most limit bytes of the answer,
// whatever its status. The body is closed before get returns.
func get(ctx context.Context, hc *http.Client, url string, header http.Header, limit int64) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, nil, err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", url, err)
	}
	if int64(len(body)) > limit {
		return nil, nil, fmt.Errorf("%s: %w (over %d bytes)", url, errTooLarge, limit)
	}
	return resp, body, nil
}

// statusError describes an unexpected HTTP status without echoing the body.
func statusError(url string, resp *http.Response) error {
	return fmt.Errorf("%s: unexpected status %s", url, resp.Status)
}

// maxAge reads max-age from a Cache-Control header. ok is false when the
// header has none, or says no-cache or no-store (revalidate every time).
func maxAge(header string) (d time.Duration, ok bool) {
	for _, dir := range strings.Split(header, ",") {
		name, value, _ := strings.Cut(strings.TrimSpace(dir), "=")
		switch strings.ToLower(name) {
		case "no-cache", "no-store":
			return 0, false
		case "max-age":
			secs, err := strconv.ParseInt(strings.Trim(value, `"`), 10, 64)
			if err != nil || secs < 0 {
				continue
			}
			// Clamp before multiplying so a huge value cannot overflow.
			if secs > int64(365*24*time.Hour/time.Second) {
				secs = int64(365 * 24 * time.Hour / time.Second)
			}
			d, ok = time.Duration(secs)*time.Second, true
		}
	}
	return d, ok
}
