package sqlstore

import (
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// timeLayout is how every timestamp travels to both databases: UTC,
// microseconds, fixed width (27 characters for years 1-9999). SQLite stores
// it as TEXT, where fixed width makes text order equal time order; Postgres
// parses it into timestamptz, which keeps microseconds.
const timeLayout = "2006-01-02T15:04:05.000000Z07:00"

// normTime is the value a time has once stored: UTC, truncated to
// microseconds (the precision of Postgres' timestamptz).
func normTime(t time.Time) time.Time {
	return t.UTC().Truncate(time.Microsecond)
}

// sqlTime is a time.Time query argument. Its value is the same text for
// both databases, so no query depends on a driver's own time formatting
// (modernc's default String() layout has variable width and would not
// compare correctly).
type sqlTime time.Time

// Value returns the time in timeLayout; years outside 1-9999 are refused
// because they would break the fixed width.
func (t sqlTime) Value() (driver.Value, error) {
	u := normTime(time.Time(t))
	if y := u.Year(); y < 1 || y > 9999 {
		return nil, fmt.Errorf("time %s is outside years 1-9999", u.Format(time.RFC3339Nano))
	}
	return u.Format(timeLayout), nil
}

// nullTime is the argument for a nullable timestamp column.
func nullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return sqlTime(*t)
}

// nullBytes keeps a nil slice NULL: some drivers send []byte(nil) as an
// empty value, which would collide in a unique index.
func nullBytes(b []byte) any {
	if b == nil {
		return nil
	}
	return b
}

// timeDest scans a NOT NULL timestamp column, whatever the driver returns
// for it: time.Time (Postgres) or text (SQLite).
type timeDest struct{ p *time.Time }

func (d timeDest) Scan(src any) error {
	t, ok, err := decodeTime(src)
	if err != nil {
		return err
	}
	if !ok {
		return errors.New("scan time: unexpected NULL")
	}
	*d.p = t
	return nil
}

// nullTimeDest scans a nullable timestamp column; NULL gives a nil pointer.
type nullTimeDest struct{ p **time.Time }

func (d nullTimeDest) Scan(src any) error {
	t, ok, err := decodeTime(src)
	if err != nil {
		return err
	}
	if !ok {
		*d.p = nil
		return nil
	}
	*d.p = &t
	return nil
}

func decodeTime(src any) (t time.Time, ok bool, err error) {
	switch v := src.(type) {
	case nil:
		return time.Time{}, false, nil
	case time.Time:
		return normTime(v), true, nil
	case string:
		t, err = time.Parse(time.RFC3339Nano, v)
	case []byte:
		t, err = time.Parse(time.RFC3339Nano, string(v))
	default:
		return time.Time{}, false, fmt.Errorf("scan time: unsupported type %T", src)
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("scan time: %w", err)
	}
	return normTime(t), true, nil
}

// nullUUIDDest scans a nullable uuid column; NULL gives a nil pointer.
type nullUUIDDest struct{ p **uuid.UUID }

func (d nullUUIDDest) Scan(src any) error {
	var n uuid.NullUUID
	if err := n.Scan(src); err != nil {
		return err
	}
	if !n.Valid {
		*d.p = nil
		return nil
	}
	*d.p = &n.UUID
	return nil
}

// nullUUID is the argument for a nullable uuid column.
func nullUUID(id *uuid.UUID) any {
	if id == nil {
		return nil
	}
	return *id
}

// encodeList writes a list as a JSON array ("[]" when empty).
func encodeList(list []string) (string, error) {
	if len(list) == 0 {
		return "[]", nil
	}
	b, err := json.Marshal(list)
	if err != nil {
		return "", fmt.Errorf("encode list: %w", err)
	}
	return string(b), nil
}

// listDest scans a JSON array column into a list (nil when empty).
type listDest struct{ p *[]string }

func (d listDest) Scan(src any) error {
	var text string
	switch v := src.(type) {
	case string:
		text = v
	case []byte:
		text = string(v)
	default:
		return fmt.Errorf("decode list: unexpected %T", src)
	}
	list, err := decodeList(text)
	*d.p = list
	return err
}

// decodeList reads a JSON array of strings; an empty array gives nil.
// The lists Tessera writes (amr, scope, groups) are short and plain, and
// are read on every authenticated request: those are split directly, and
// anything else (escapes, spaces, other JSON) goes to encoding/json.
func decodeList(text string) ([]string, error) {
	if list, ok := plainList(text); ok {
		return list, nil
	}
	var list []string
	if err := json.Unmarshal([]byte(text), &list); err != nil {
		return nil, fmt.Errorf("decode list: %w", err)
	}
	if len(list) == 0 {
		return nil, nil
	}
	return list, nil
}

// plainList splits `[]` and `["a","b"]` whose strings hold no quote,
// backslash or control character, in valid UTF-8 (encoding/json would
// replace invalid bytes); ok is false for anything else.
func plainList(text string) (list []string, ok bool) {
	if text == "[]" {
		return nil, true
	}
	if len(text) < 4 || text[0] != '[' || text[len(text)-1] != ']' || !utf8.ValidString(text) {
		return nil, false
	}
	rest := text[1 : len(text)-1]
	for {
		if len(rest) < 2 || rest[0] != '"' {
			return nil, false
		}
		end := 1
		for end < len(rest) && rest[end] != '"' {
			if c := rest[end]; c == '\\' || c < 0x20 {
				return nil, false
			}
			end++
		}
		if end == len(rest) {
			return nil, false
		}
		list = append(list, rest[1:end])
		rest = rest[end+1:]
		if rest == "" {
			return list, true
		}
		if rest[0] != ',' {
			return nil, false
		}
		rest = rest[1:]
	}
}

// encodeDetails writes audit details as a JSON object ("{}" when empty).
func encodeDetails(m map[string]string) (string, error) {
	if len(m) == 0 {
		return "{}", nil
	}
	b, err := json.Marshal(m)
	if err != nil {
		return "", fmt.Errorf("encode details: %w", err)
	}
	return string(b), nil
}

// decodeDetails reads audit details; an empty object gives a nil map.
func decodeDetails(text string) (map[string]string, error) {
	var m map[string]string
	if err := json.Unmarshal([]byte(text), &m); err != nil {
		return nil, fmt.Errorf("decode details: %w", err)
	}
	if len(m) == 0 {
		return nil, nil
	}
	return m, nil
}
