package auth

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/store"
)

// AuditFilter selects audit events; zero fields do not filter.
type AuditFilter struct {
	UserID *uuid.UUID
	Event  string
	// Since keeps events at or after it.
	Since time.Time
	// Until keeps events before it.
	Until time.Time
}

// EventName reports whether s can name an audit event: 1 to 64 lowercase
// ASCII letters, digits and underscores, as every event Tessera records
// is named.
func EventName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// check refuses an event filter no event can match (which the database
// would not always take as text: a NUL, bytes that are not UTF-8).
func (f AuditFilter) check() error {
	if f.Event != "" && !EventName(f.Event) {
		return Invalid(map[string][]string{"event": {"must be an event name such as login_failed"}})
	}
	return nil
}

// AdminAuditLog returns a page of the audit events matching f, newest
// first.
func (s *Service) AdminAuditLog(ctx context.Context, f AuditFilter, in PageInput) (Page[store.AuditEvent], error) {
	if err := f.check(); err != nil {
		return Page[store.AuditEvent]{}, err
	}
	limit, err := in.limit()
	if err != nil {
		return Page[store.AuditEvent]{}, err
	}
	q := store.AuditQuery{UserID: f.UserID, Event: f.Event, Since: f.Since, Until: f.Until, Limit: limit + 1}
	if in.Cursor != "" {
		key, err := decodePageCursor("a", in.Cursor)
		if err != nil {
			return Page[store.AuditEvent]{}, err
		}
		if q.BeforeID, err = strconv.ParseInt(key, 10, 64); err != nil || q.BeforeID <= 0 {
			return Page[store.AuditEvent]{}, errBadCursor
		}
	}
	rows, err := s.store.QueryAuditEvents(ctx, q)
	if err != nil {
		return Page[store.AuditEvent]{}, fmt.Errorf("audit log: %w", err)
	}
	return newPage(rows, limit, "a", func(e store.AuditEvent) string { return strconv.FormatInt(e.ID, 10) }), nil
}

// AdminAuditExport calls each with every event f selects, newest first,
// reading MaxPageSize events at a time along the keyset of AdminAuditLog,
// so an export of millions of events holds one page in memory. It stops
// at the first error each returns.
func (s *Service) AdminAuditExport(ctx context.Context, f AuditFilter, each func(store.AuditEvent) error) error {
	if err := f.check(); err != nil {
		return err
	}
	q := store.AuditQuery{UserID: f.UserID, Event: f.Event, Since: f.Since, Until: f.Until, Limit: MaxPageSize}
	for {
		rows, err := s.store.QueryAuditEvents(ctx, q)
		if err != nil {
			return fmt.Errorf("audit export: %w", err)
		}
		for _, e := range rows {
			if err := each(e); err != nil {
				return err
			}
		}
		if len(rows) < MaxPageSize {
			return nil
		}
		q.BeforeID = rows[len(rows)-1].ID
	}
}

// PruneAuditEvents deletes the events older than retention and records
// how many it deleted (when any) as an audit_pruned event.
func (s *Service) PruneAuditEvents(ctx context.Context, a Actor, retention time.Duration) (int64, error) {
	if retention <= 0 {
		return 0, Invalid(map[string][]string{"retention": {"must be positive"}})
	}
	before := s.now().UTC().Add(-retention)
	n, err := s.store.PruneAuditEvents(ctx, before)
	if err != nil {
		return n, fmt.Errorf("prune audit events: %w", err)
	}
	if n > 0 {
		s.auditAs(ctx, "audit_pruned", a, uuid.Nil, uuid.Nil, map[string]string{
			"deleted": strconv.FormatInt(n, 10), "before": before.Format(time.RFC3339)})
	}
	return n, nil
}
