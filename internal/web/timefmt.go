package web

import (
	"html/template"
	"strconv"
	"strings"
	"time"
)

// The template functions of signed-in pages that show times and devices:
//
//	{{template "when" .LastUsedAt}}  <time datetime="…" title="2026-11-30 15:04 UTC">2 hours ago</time>
//	{{ua .UserAgent}}                Chrome on macOS

// funcs are the template functions every view may use.
func (p *Pages) funcs() template.FuncMap {
	return template.FuncMap{"t": p.msg.t, "ago": p.ago, "utc": exactUTC, "iso": isoUTC, "ua": p.readableUA}
}

// timeUnits are the steps of a relative time, largest first, with their
// message keys (one and several, past and future); a month is 30 days and
// a year 365, which is what "3 months ago" means to a reader.
var timeUnits = []struct {
	size                 time.Duration
	ago1, agoN, in1, inN string
}{
	{365 * 24 * time.Hour, "time.ago.year", "time.ago.years", "time.in.year", "time.in.years"},
	{30 * 24 * time.Hour, "time.ago.month", "time.ago.months", "time.in.month", "time.in.months"},
	{24 * time.Hour, "time.ago.day", "time.ago.days", "time.in.day", "time.in.days"},
	{time.Hour, "time.ago.hour", "time.ago.hours", "time.in.hour", "time.in.hours"},
	{time.Minute, "time.ago.minute", "time.ago.minutes", "time.in.minute", "time.in.minutes"},
}

// ago says how long before (or after) now t is, in the largest whole unit:
// "just now" within a minute, "2 hours ago", "in 3 days". The zero time
// gives "".
func (p *Pages) ago(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	d := p.now().Sub(t)
	future := d < 0
	if future {
		d = -d
	}
	for _, u := range timeUnits {
		n := int(d / u.size)
		switch {
		case n < 1:
			continue
		case n == 1 && future:
			return p.msg.text(u.in1)
		case n == 1:
			return p.msg.text(u.ago1)
		case future:
			return p.msg.text(u.inN, strconv.Itoa(n))
		default:
			return p.msg.text(u.agoN, strconv.Itoa(n))
		}
	}
	return p.msg.text("time.just_now")
}

// exactUTC is the exact time shown on hover: "2026-11-30 15:04 UTC".
func exactUTC(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// isoUTC is the machine-readable time of a <time> element.
func isoUTC(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// uaBrowsers are recognised in order: Edge, Opera and Samsung Internet
// also say "Chrome", and Chrome also says "Safari". Recognising a handful
// of names needs no user-agent library: a wrong guess only changes a
// label the person can still read in full on hover.
var uaBrowsers = []struct{ token, name string }{
	{"Edg", "Edge"},
	{"OPR/", "Opera"},
	{"SamsungBrowser/", "Samsung Internet"},
	{"Firefox/", "Firefox"},
	{"FxiOS/", "Firefox"},
	{"CriOS/", "Chrome"},
	{"Chrome/", "Chrome"},
	{"Chromium/", "Chromium"},
	{"Version/", "Safari"},
	{"curl/", "curl"},
}

// uaSystems are recognised in order: iPhones and Android phones also say
// "like Mac OS X" and "Linux".
var uaSystems = []struct{ token, name string }{
	{"iPhone", "iOS"},
	{"iPad", "iPadOS"},
	{"Android", "Android"},
	{"CrOS", "ChromeOS"},
	{"Mac OS X", "macOS"},
	{"Macintosh", "macOS"},
	{"Windows", "Windows"},
	{"Linux", "Linux"},
}

// readableUA names the browser and system of a User-Agent header
// ("Chrome on macOS", "Firefox", "Linux"), or says it is unknown.
func (p *Pages) readableUA(ua string) string {
	browser, system := "", ""
	for _, b := range uaBrowsers {
		if strings.Contains(ua, b.token) {
			browser = b.name
			break
		}
	}
	for _, s := range uaSystems {
		if strings.Contains(ua, s.token) {
			system = s.name
			break
		}
	}
	switch {
	case browser != "" && system != "":
		return p.msg.text("ua.on", browser, system)
	case browser != "":
		return browser
	case system != "":
		return p.msg.text("ua.on", p.msg.text("ua.browser"), system)
	}
	return p.msg.text("ua.unknown")
}
