package logging

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestLogAccessWritesTheHandlersBytes: for every access line, the fast
// path writes exactly what slog's own handler writes for the same record,
// in text and JSON, with and without redaction, quoting or not.
func TestLogAccessWritesTheHandlersBytes(t *testing.T) {
	at := time.Date(2026, 11, 30, 18, 5, 4, 123456789, time.UTC)
	hide := strings.NewReplacer("s3cret", "[redacted]")
	accesses := []Access{
		{RequestID: "0123456789abcdef01234567", Method: "GET", Path: "/.well-known/jwks.json", Route: "/.well-known/jwks.json", IP: "127.0.0.1", Status: 200, Bytes: 512, Duration: 123 * time.Microsecond},
		{RequestID: "r-1", Method: "POST", Path: "/v1/auth/refresh", Route: "/v1/auth/refresh", IP: "::1", Status: 503, Bytes: 0, Duration: 0},
		{RequestID: "r-2", Method: "GET", Path: "/nowhere", Route: "", IP: "10.0.0.1", Status: 404, Bytes: 20, Duration: 2 * time.Hour},
		{RequestID: "r-3", Method: "GET", Path: "/a b=c\"d\\", Route: "", IP: "10.0.0.1", Status: 404, Bytes: 20, Duration: time.Millisecond},
		{RequestID: "r-4", Method: "GET", Path: "/é/\u00a0/\x01", Route: "", IP: "10.0.0.1", Status: 404, Bytes: 20, Duration: time.Second},
		{RequestID: "r-5", Method: "GET", Path: "/s3cret/x", Route: "/s3cret/:id", IP: "10.0.0.1", Status: 200, Bytes: 1, Duration: 1500 * time.Microsecond},
		{RequestID: "r-6", Method: "GET", Path: "/%41~x@y+z,w", Route: "/:id", IP: "10.0.0.1", Status: 200, Bytes: 1, Duration: time.Duration(math.MaxInt64)},
	}
	for _, json := range []bool{false, true} {
		for _, redact := range []bool{false, true} {
			for i, a := range accesses {
				for _, level := range []slog.Level{slog.LevelInfo, slog.LevelError} {
					t.Run(fmt.Sprintf("json=%v/redact=%v/%d/%v", json, redact, i, level), func(t *testing.T) {
						var opts slog.HandlerOptions
						var fn func(string) string
						if redact {
							opts.ReplaceAttr = func(_ []string, a slog.Attr) slog.Attr {
								if a.Value.Kind() == slog.KindString {
									return slog.String(a.Key, hide.Replace(a.Value.String()))
								}
								return a
							}
							fn = hide.Replace
						}
						var fast, want bytes.Buffer
						New(&fast, json, &opts, fn).LogAccess(context.Background(), level, at, a)
						var std slog.Handler = slog.NewTextHandler(&want, &opts)
						if json {
							std = slog.NewJSONHandler(&want, &opts)
						}
						r := slog.NewRecord(at, level, "request", 0)
						r.AddAttrs(a.attrs(float64(a.Duration.Microseconds()) / 1000)...)
						if err := std.Handle(context.Background(), r); err != nil {
							t.Fatal(err)
						}
						if fast.String() != want.String() {
							t.Errorf("fast path wrote\n%q\nslog writes\n%q", fast.String(), want.String())
						}
					})
				}
			}
		}
	}
}

// TestLogAccessLevel: below the handler's level nothing is written, by
// either path.
func TestLogAccessLevel(t *testing.T) {
	a := Access{RequestID: "r", Method: "GET", Path: "/", Route: "/", IP: "127.0.0.1", Status: 200}
	for _, json := range []bool{false, true} {
		var out bytes.Buffer
		log := slog.New(New(&out, json, &slog.HandlerOptions{Level: slog.LevelWarn}, nil))
		LogAccess(context.Background(), log, slog.LevelInfo, a)
		if out.Len() != 0 {
			t.Errorf("json=%v: an info line was written at warn: %q", json, out.String())
		}
		LogAccess(context.Background(), log, slog.LevelError, a)
		if !strings.Contains(out.String(), "request") {
			t.Errorf("json=%v: the error line is missing: %q", json, out.String())
		}
	}
	// Any other logger goes through slog.
	var out bytes.Buffer
	LogAccess(context.Background(), slog.New(slog.NewTextHandler(&out, nil)), slog.LevelInfo, a)
	if !strings.Contains(out.String(), "msg=request request_id=r method=GET path=/ route=/ status=200") {
		t.Errorf("through slog: %q", out.String())
	}
}

// TestAppendMillis: the duration's fast path writes strconv's bytes for
// every microsecond up to two seconds, around each power of ten, at the
// edge of the fast path and past it, and for negative durations.
func TestAppendMillis(t *testing.T) {
	check := func(us int64) {
		for _, f := range []byte{'f', 'g'} {
			want := strconv.AppendFloat(nil, float64(us)/1000, f, -1, 64)
			if got := appendMillis(nil, us, f); !bytes.Equal(got, want) {
				t.Fatalf("appendMillis(%d, %q) = %s, want %s", us, f, got, want)
			}
		}
	}
	for us := int64(0); us < 2_000_000; us++ {
		check(us)
	}
	for p := int64(1); p <= 1e18; p *= 10 {
		for _, us := range []int64{p - 1, p, p + 1, p + 7, 3*p + 450} {
			check(us)
		}
	}
	for _, us := range []int64{999_999_999, 1e9, 1e9 + 1, 123_456_789, 987_654_321, -1, -1500, math.MaxInt64, math.MinInt64} {
		check(us)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 200_000 {
		check(r.Int64N(1e9))
	}
}
