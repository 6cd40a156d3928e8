package bench

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// ScenarioRefreshCookie is refresh in cookie mode, as a browser front-end
// does it: the refresh token travels in its cookie, the CSRF value in the
// X-CSRF-Token header beside the csrf cookie, and the answer sets the
// rotated refresh cookie.
const ScenarioRefreshCookie = "refresh-cookie"

// cookieDevice is one client's cookie-mode session: its cookies by name
// and the CSRF value. Only the client that owns it touches it.
type cookieDevice struct {
	cookies map[string]string
	csrf    string
}

// header renders the Cookie header a browser would send to /v1/auth.
func (d *cookieDevice) header() string {
	var b strings.Builder
	for name, v := range d.cookies {
		if b.Len() > 0 {
			b.WriteString("; ")
		}
		b.WriteString(name + "=" + v)
	}
	return b.String()
}

// keep records the cookies an answer set (an empty value deletes one).
func (d *cookieDevice) keep(cs []*http.Cookie) {
	for _, c := range cs {
		if c.Value == "" || c.MaxAge < 0 {
			delete(d.cookies, c.Name)
			continue
		}
		d.cookies[c.Name] = c.Value
	}
}

// loginCookieDevices logs every client in once in cookie mode.
func (r *runner) loginCookieDevices(ctx context.Context) error {
	if r.cookieDevs != nil {
		return nil
	}
	r.logf("logging %d cookie-mode devices in", r.cfg.Clients)
	devs := make([]cookieDevice, r.cfg.Clients)
	err := parallel(len(devs), func(i int) error {
		var (
			out struct {
				CSRF string `json:"csrf_token"`
			}
			set []*http.Cookie
		)
		body := mustJSON(map[string]string{"email": r.emails[i%len(r.emails)], "password": benchPassword,
			"device_name": benchDeviceName, "delivery": "cookie"})
		err := r.ep.doPatiently(ctx, call{Method: http.MethodPost, Path: "/v1/auth/login", Body: body, Out: &out, Cookies: &set})
		devs[i] = cookieDevice{cookies: map[string]string{}, csrf: out.CSRF}
		devs[i].keep(set)
		if err == nil && (out.CSRF == "" || len(devs[i].cookies) == 0) {
			err = errors.New("cookie login answered without cookies or csrf_token")
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("log cookie devices in: %w", err)
	}
	r.cookieDevs = devs
	return nil
}

// opRefreshCookie refreshes client i's cookie session in a loop: each
// answer's refresh cookie is sent with the next request.
func opRefreshCookie(ep *endpoint, devs []cookieDevice) func(int) Op {
	return func(i int) Op {
		d := &devs[i]
		return func(ctx context.Context) error {
			var set []*http.Cookie
			err := ep.do(ctx, call{
				Method: http.MethodPost, Path: "/v1/auth/refresh", Cookies: &set,
				Header: map[string]string{"Cookie": d.header(), "X-CSRF-Token": d.csrf},
			})
			if err != nil {
				return err
			}
			rotated := false
			for _, c := range set {
				rotated = rotated || (strings.Contains(c.Name, "refresh") && c.Value != "")
			}
			if !rotated {
				return errors.New("cookie refresh answered without a refresh cookie")
			}
			d.keep(set)
			return nil
		}
	}
}
