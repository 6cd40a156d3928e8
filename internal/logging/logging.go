// Package logging builds Tessera's log handler: slog's text or JSON handler,
// plus a fast path for the access log's one line per request that writes
// the same bytes those handlers would, without their per-attribute work.
package logging

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"time"
)

// Access is one answered request, as the access log records it.
type Access struct {
	RequestID, Method, Path, Route, IP string
	Status, Bytes                      int
	Duration                           time.Duration
}

// Handler is slog's text or JSON handler over w with one more method,
// LogAccess. Both write through one lock, whole lines at a time.
type Handler struct {
	slog.Handler
	w      *lockedWriter
	json   bool
	level  slog.Leveler
	redact func(string) string
}

// New returns a Handler writing text (or JSON) lines to w with opts, as
// slog.NewTextHandler (slog.NewJSONHandler) would. redact, when not nil,
// is applied to the access line's strings as opts.ReplaceAttr is to
// every other value.
func New(w io.Writer, json bool, opts *slog.HandlerOptions, redact func(string) string) *Handler {
	if opts == nil {
		opts = &slog.HandlerOptions{}
	}
	lw := &lockedWriter{w: w}
	h := &Handler{w: lw, json: json, level: opts.Level, redact: redact}
	if h.level == nil {
		h.level = slog.LevelInfo
	}
	if json {
		h.Handler = slog.NewJSONHandler(lw, opts)
	} else {
		h.Handler = slog.NewTextHandler(lw, opts)
	}
	return h
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

var linePool = sync.Pool{New: func() any { b := make([]byte, 0, 256); return &b }}

// LogAccess writes a's line, msg "request", at level, timestamped t, the
// way the underlying handler would write
//
//	LogAttrs(ctx, level, "request", request_id, method, path, route, status, duration_ms, ip, bytes)
//
// A string this fast path would have to quote or escape sends the line
// through the handler instead, so the bytes are always the handler's.
func (h *Handler) LogAccess(ctx context.Context, level slog.Level, t time.Time, a Access) {
	if level < h.level.Level() {
		return
	}
	if h.redact != nil {
		a.RequestID, a.Method, a.Path, a.Route, a.IP = h.redact(a.RequestID), h.redact(a.Method),
			h.redact(a.Path), h.redact(a.Route), h.redact(a.IP)
	}
	us := a.Duration.Microseconds()
	if !plain(a.RequestID) || !plain(a.Method) || !plain(a.Path) || !plain(a.Route) || !plain(a.IP) {
		r := slog.NewRecord(t, level, "request", 0)
		r.AddAttrs(a.attrs(float64(us) / 1000)...)
		_ = h.Handler.Handle(ctx, r)
		return
	}
	bp := linePool.Get().(*[]byte)
	b := (*bp)[:0]
	if h.json {
		b = append(b, `{"time":"`...)
		b = t.Round(0).AppendFormat(b, time.RFC3339Nano)
		b = append(b, `","level":"`...)
		b = append(b, level.String()...)
		b = append(b, `","msg":"request","request_id":"`...)
		b = append(b, a.RequestID...)
		b = append(b, `","method":"`...)
		b = append(b, a.Method...)
		b = append(b, `","path":"`...)
		b = append(b, a.Path...)
		b = append(b, `","route":"`...)
		b = append(b, a.Route...)
		b = append(b, `","status":`...)
		b = strconv.AppendInt(b, int64(a.Status), 10)
		b = append(b, `,"duration_ms":`...)
		b = appendMillis(b, us, 'f') // as encoding/json writes it below 1e21, which ms stays under
		b = append(b, `,"ip":"`...)
		b = append(b, a.IP...)
		b = append(b, `","bytes":`...)
		b = strconv.AppendInt(b, int64(a.Bytes), 10)
		b = append(b, "}\n"...)
	} else {
		b = append(b, "time="...)
		b = appendRFC3339Millis(b, t.Round(0))
		b = append(b, " level="...)
		b = append(b, level.String()...)
		b = append(b, " msg=request request_id="...)
		b = append(b, a.RequestID...)
		b = append(b, " method="...)
		b = append(b, a.Method...)
		b = append(b, " path="...)
		b = append(b, a.Path...)
		b = append(b, " route="...)
		b = append(b, a.Route...)
		b = append(b, " status="...)
		b = strconv.AppendInt(b, int64(a.Status), 10)
		b = append(b, " duration_ms="...)
		b = appendMillis(b, us, 'g')
		b = append(b, " ip="...)
		b = append(b, a.IP...)
		b = append(b, " bytes="...)
		b = strconv.AppendInt(b, int64(a.Bytes), 10)
		b = append(b, '\n')
	}
	_, _ = h.w.Write(b)
	*bp = b
	linePool.Put(bp)
}

// appendMillis appends us microseconds in milliseconds, the bytes of
// strconv.AppendFloat(b, float64(us)/1000, format, -1, 64) for format 'f'
// or 'g', without the shortest-decimal search: below a thousand seconds
// that decimal is us/1000 itself (at most 12 digits, which a float64
// tells apart from every other such decimal), with its trailing zeros
// dropped, and 'g' keeps to plain notation (exponents -3 to 5). Other
// values take strconv's way.
func appendMillis(b []byte, us int64, format byte) []byte {
	if us < 0 || us >= 1e9 {
		return strconv.AppendFloat(b, float64(us)/1000, format, -1, 64)
	}
	b = strconv.AppendInt(b, us/1000, 10)
	frac := us % 1000
	if frac == 0 {
		return b
	}
	d := [4]byte{'.', byte('0' + frac/100), byte('0' + frac/10%10), byte('0' + frac%10)}
	n := len(d)
	for d[n-1] == '0' {
		n--
	}
	return append(b, d[:n]...)
}

func (a Access) attrs(ms float64) []slog.Attr {
	return []slog.Attr{
		slog.String("request_id", a.RequestID), slog.String("method", a.Method),
		slog.String("path", a.Path), slog.String("route", a.Route),
		slog.Int("status", a.Status), slog.Float64("duration_ms", ms),
		slog.String("ip", a.IP), slog.Int("bytes", a.Bytes),
	}
}

// plain reports whether s is non-empty and made only of bytes that
// neither handler quotes or escapes.
func plain(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '/' || c == '-' || c == '.' || c == '_' || c == '~' || c == ':' || c == '%' || c == '@' || c == '+' || c == ',') {
			return false
		}
	}
	return true
}

// appendRFC3339Millis is how slog's text handler writes a time: RFC 3339
// with exactly three digits of milliseconds.
func appendRFC3339Millis(b []byte, t time.Time) []byte {
	const prefixLen = len("2006-01-02T15:04:05.000")
	n := len(b)
	t = t.Truncate(time.Millisecond).Add(time.Millisecond / 10)
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b[:n+prefixLen], b[n+prefixLen+1:]...)
}

// AccessLogger is what the HTTP layer looks for in a logger's handler.
type AccessLogger interface {
	LogAccess(ctx context.Context, level slog.Level, t time.Time, a Access)
}

// LogAccess writes a's line through log: the fast path when log's handler
// is a *Handler, slog's LogAttrs otherwise.
func LogAccess(ctx context.Context, log *slog.Logger, level slog.Level, a Access) {
	if h, ok := log.Handler().(AccessLogger); ok {
		h.LogAccess(ctx, level, time.Now(), a)
		return
	}
	if !log.Enabled(ctx, level) {
		return
	}
	log.LogAttrs(ctx, level, "request", a.attrs(float64(a.Duration.Microseconds())/1000)...)
}
