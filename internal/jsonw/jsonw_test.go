package jsonw

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

func TestAppendStringMatchesEncodingJSON(t *testing.T) {
	for _, s := range []string{"", "ada@example.com", "<script>&", "\"\\", "\x00\x1f\x7f", "\xff\xfe", "\u2028\u2029", "Zoë 日本", "a\tb\nc"} {
		want, _ := json.Marshal(s)
		if got := AppendString([]byte("x"), s); !bytes.Equal(got, append([]byte("x"), want...)) {
			t.Errorf("%q: got %s, want x%s", s, got, want)
		}
	}
}

func TestAppendTimeMatchesMarshalJSON(t *testing.T) {
	for _, tm := range []time.Time{
		{},
		time.Date(2026, 11, 30, 22, 1, 2, 0, time.UTC),
		time.Date(2026, 11, 30, 22, 1, 2, 123456789, time.UTC),
		time.Date(2026, 11, 30, 22, 1, 2, 100, time.FixedZone("", -(9*3600+30*60))),
		time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.FixedZone("", 23*3600+59*60)),
		time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("", 24*3600)),
		time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("", -100*3600)),
		time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("", 3600+30)),
	} {
		want, err := tm.MarshalJSON()
		got, ok := AppendTime([]byte("x"), tm)
		switch {
		case err != nil && ok:
			t.Errorf("%v: wrote %s, MarshalJSON refuses: %v", tm, got, err)
		case err == nil && !ok:
			t.Errorf("%v: refused, MarshalJSON writes %s", tm, want)
		case !ok && string(got) != "x":
			t.Errorf("%v: refused but appended %q", tm, got)
		case ok && !bytes.Equal(got, append([]byte("x"), want...)):
			t.Errorf("%v: got %s, want x%s", tm, got, want)
		}
	}
}
