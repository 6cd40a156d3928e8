package auth

import (
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/store"
)

// Page sizes of the admin listings.
const (
	DefaultPageSize = 50
	MaxPageSize     = 200
)

// Actor is who performs an admin action. Every admin method records it in
// the audit event it writes.
type Actor struct {
	// UserID is the admin's account; uuid.Nil for an operator at the
	// command line, who needs no account.
	UserID uuid.UUID
	// Operator names the operating-system account behind a command-line
	// action ("" over HTTP).
	Operator string
	Device   Device
}

// AdminActor returns the Actor of an authenticated caller, or
// permission_denied unless the caller's account, as loaded for this request
// (not as the token's roles claim remembers it), is an active admin.
func AdminActor(p *Principal, dev Device) (Actor, error) {
	if p == nil || p.User == nil {
		return Actor{}, Errorf(CodeNotAuthenticated, "authentication credentials were not provided")
	}
	if !p.User.IsAdmin || !p.User.IsActive {
		return Actor{}, Errorf(CodePermissionDenied, "this endpoint is for administrators only")
	}
	return Actor{UserID: p.User.ID, Device: dev}, nil
}

// PageInput asks for one page of an admin listing: Cursor is "" for the
// first page or a previous page's NextCursor; Limit 0 means
// DefaultPageSize.
type PageInput struct {
	Cursor string
	Limit  int
}

// Page is one page of an admin listing. NextCursor is "" on the last page.
type Page[T any] struct {
	Items      []T
	NextCursor string
}

// limit checks the page size and returns it (DefaultPageSize for 0).
func (p PageInput) limit() (int, error) {
	switch {
	case p.Limit == 0:
		return DefaultPageSize, nil
	case p.Limit < 0 || p.Limit > MaxPageSize:
		return 0, Invalid(map[string][]string{"limit": {"must be between 1 and " + strconv.Itoa(MaxPageSize)}})
	}
	return p.Limit, nil
}

// newPage cuts rows, fetched with one row more than limit, to a page; the
// cursor names the last row shown, in the listing kind's encoding.
func newPage[T any](rows []T, limit int, kind string, key func(T) string) Page[T] {
	if len(rows) <= limit {
		return Page[T]{Items: rows}
	}
	rows = rows[:limit]
	return Page[T]{Items: rows, NextCursor: encodePageCursor(kind, key(rows[limit-1]))}
}

// Cursors are opaque to clients: base64url of "<kind>:<sort key>", so a
// cursor from one listing is refused by another.
func encodePageCursor(kind, key string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(kind + ":" + key))
}

var errBadCursor = Invalid(map[string][]string{"cursor": {"is not a cursor of this listing"}})

func decodePageCursor(kind, cursor string) (string, error) {
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return "", errBadCursor
	}
	key, ok := strings.CutPrefix(string(raw), kind+":")
	if !ok || key == "" {
		return "", errBadCursor
	}
	return key, nil
}

// timeCursorKey is the key of listings ordered by (created_at, id).
func timeCursorKey(at time.Time, id uuid.UUID) string {
	return strconv.FormatInt(at.UnixMicro(), 10) + "." + id.String()
}

// decodeTimeCursor reads a timeCursorKey cursor; "" gives nil.
func decodeTimeCursor(kind, cursor string) (*store.Cursor, error) {
	if cursor == "" {
		return nil, nil
	}
	key, err := decodePageCursor(kind, cursor)
	if err != nil {
		return nil, err
	}
	micros, rawID, _ := strings.Cut(key, ".")
	n, err1 := strconv.ParseInt(micros, 10, 64)
	id, err2 := uuid.Parse(rawID)
	at := time.UnixMicro(n).UTC()
	if err1 != nil || err2 != nil || at.Year() < 1 || at.Year() > 9999 {
		return nil, errBadCursor // no row was made outside years 1-9999
	}
	return &store.Cursor{CreatedAt: at, ID: id}, nil
}
