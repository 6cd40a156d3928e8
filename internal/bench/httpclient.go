package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// requestTimeout bounds one request. A 200-client login storm queues
// logins behind the server's hashing semaphore for seconds; that is
// latency to report, not an error.
const requestTimeout = 60 * time.Second

// newHTTPClient returns the client every scenario and baseline shares: one
// keep-alive connection per concurrent client and then some, so no
// measured request pays for a TCP handshake after the warm-up.
func newHTTPClient(clients int) *http.Client {
	conns := clients + 16
	tr := &http.Transport{
		Proxy:               nil, // loopback: never through a proxy
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
		ForceAttemptHTTP2:   false,
	}
	// No scenario follows a redirect: the authorization-code flow reads
	// the code from the Location of /oauth/authorize's answer.
	return &http.Client{Transport: tr, Timeout: requestTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// endpoint sends requests to one base URL.
type endpoint struct {
	c    *http.Client
	base string
}

// call is one request: Body, when set, is sent as JSON (or as Form when
// set instead); Auth is the whole Authorization header value.
type call struct {
	Method string
	Path   string
	Body   []byte
	Form   url.Values
	Auth   string
	// Header holds further request headers (Cookie, X-CSRF-Token, ...).
	Header map[string]string
	Want   int
	// Out, when set, receives the JSON response body.
	Out any
	// Cookies, when set, receives the cookies the answer sets.
	Cookies *[]*http.Cookie
	// Location, when set, receives the answer's Location header.
	Location *string
	// Raw, when set, receives the answer's body as it is.
	Raw *[]byte
}

// do sends c and checks its status. The body is always read to the end so
// the connection goes back to the pool.
func (e *endpoint) do(ctx context.Context, c call) error {
	var rd io.Reader
	if c.Body != nil {
		rd = bytes.NewReader(c.Body)
	}
	if c.Form != nil {
		rd = strings.NewReader(c.Form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, c.Method, e.base+c.Path, rd)
	if err != nil {
		return fmt.Errorf("%s %s: %w", c.Method, c.Path, err)
	}
	if c.Body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.Form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if c.Auth != "" {
		req.Header.Set("Authorization", c.Auth)
	}
	for k, v := range c.Header {
		req.Header.Set(k, v)
	}
	resp, err := e.c.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", c.Method, c.Path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("%s %s: read body: %w", c.Method, c.Path, err)
	}
	want := c.Want
	if want == 0 {
		want = http.StatusOK
	}
	if resp.StatusCode != want {
		return &statusError{Method: c.Method, Path: c.Path, Status: resp.StatusCode,
			RetryAfter: retryAfter(resp.Header.Get("Retry-After")), Body: string(data)}
	}
	if c.Cookies != nil {
		*c.Cookies = resp.Cookies()
	}
	if c.Location != nil {
		*c.Location = resp.Header.Get("Location")
	}
	if c.Raw != nil {
		*c.Raw = data
	}
	if c.Out != nil {
		if err := json.Unmarshal(data, c.Out); err != nil {
			return fmt.Errorf("%s %s: decode: %w", c.Method, c.Path, err)
		}
	}
	return nil
}

// statusError is an answer with an unexpected status.
type statusError struct {
	Method, Path string
	Status       int
	RetryAfter   time.Duration // 0 when the answer had no Retry-After
	Body         string
}

func (e *statusError) Error() string {
	return fmt.Sprintf("%s %s: status %d: %.160s", e.Method, e.Path, e.Status, e.Body)
}

// Backoff makes a 503 with Retry-After a shed answer (see Shed): the
// server refusing work on purpose, as Tessera does when logins queue for
// a hashing slot too long. The client waits as told, as real ones do.
func (e *statusError) Backoff() time.Duration {
	if e.Status == http.StatusServiceUnavailable {
		return e.RetryAfter
	}
	return 0
}

// retryAfter reads a Retry-After in seconds (the only form Tessera sends).
func retryAfter(v string) time.Duration {
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0
	}
	return time.Duration(n) * time.Second
}

// setupAttempts bounds the retries of one set-up request shed by the
// server (a login waiting for a hashing slot on a busy machine).
const setupAttempts = 60

// doPatiently is do, retrying shed answers after their Retry-After: for
// set-up requests, which must succeed however busy the machine is.
func (e *endpoint) doPatiently(ctx context.Context, c call) error {
	for i := 0; ; i++ {
		err := e.do(ctx, c)
		d := Backoff(err)
		if d == 0 || i == setupAttempts {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(d):
		}
	}
}

// mustJSON marshals v, which is always a plain struct or map here.
func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
