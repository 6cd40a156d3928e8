package auth

import (
	"context"
	"fmt"
	"strings"
	"time"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"

	"github.com/tessera-id/tessera/internal/keys"
	"github.com/tessera-id/tessera/internal/store"
)

// UserFilter selects users for AdminSearchUsers; zero fields do not
// filter.
type UserFilter struct {
	// EmailPrefix keeps users whose e-mail starts with it.
	EmailPrefix string
	// Search keeps users whose e-mail or username starts with it.
	Search string
	// Active, Admin and Verified keep users with that flag equal to the
	// value.
	Active, Admin, Verified *bool
}

// AdminSearchUsers returns a page of the users f selects, newest first.
// Prefixes are compared after the NFKC case folding e-mails and usernames
// get, so "ADA" finds "ada@example.com". The listing walks the users'
// (created_at, id) index with a keyset cursor: a page costs the same on
// the first page as on the thousandth.
func (s *Service) AdminSearchUsers(ctx context.Context, f UserFilter, in PageInput) (Page[store.User], error) {
	limit, err := in.limit()
	if err != nil {
		return Page[store.User]{}, err
	}
	after, err := decodeTimeCursor("u", in.Cursor)
	if err != nil {
		return Page[store.User]{}, err
	}
	q := store.UserQuery{EmailPrefix: foldPrefix(f.EmailPrefix), Search: foldPrefix(f.Search),
		Active: f.Active, Admin: f.Admin, Verified: f.Verified, After: after, Limit: limit + 1}
	rows, err := s.store.ListUsers(ctx, q)
	if err != nil {
		return Page[store.User]{}, fmt.Errorf("list users: %w", err)
	}
	return newPage(rows, limit, "u", func(u store.User) string { return timeCursorKey(u.CreatedAt, u.ID) }), nil
}

// foldPrefix folds a typed prefix as identifiers are normalised. What no
// identifier holds (bytes that are not UTF-8, control characters, which
// Postgres's text refuses in part) goes first, through label.
func foldPrefix(p string) string {
	return cases.Fold().String(norm.NFKC.String(strings.TrimSpace(label(p, len(p)))))
}

// Overview is what the admin console's first page shows. Logins and
// refresh reuse come from the audit log, which every replica writes and
// which survives restarts; rotated refreshes are not audited (a row per
// refresh would undo the constant storage per device) and are counted in
// /metrics instead.
type Overview struct {
	// Since is the start of the period the event counts cover (a day).
	Since          time.Time
	Users          int64
	ActiveSessions int64
	// Logins counts sign-ins by outcome: "login" (succeeded),
	// "login_failed" (wrong password) and "login_refused" (inactive,
	// unverified or locked out).
	Logins map[string]int64
	// RefreshReuse counts stolen refresh tokens detected (sessions ended).
	RefreshReuse int64
	// LockedAccounts and LockedAddresses are the accounts and client
	// addresses refused now for too many failed logins.
	LockedAccounts, LockedAddresses int64
	Keys                            []keys.KeyInfo
}

// OverviewPeriod is the period the overview's event counts cover.
const OverviewPeriod = 24 * time.Hour

// AdminOverview counts users, active sessions, the last day's logins by
// outcome and refresh reuse, the accounts and addresses locked out now,
// and lists the signing keys with their states.
func (s *Service) AdminOverview(ctx context.Context) (*Overview, error) {
	now := s.now().UTC()
	o := &Overview{Since: now.Add(-OverviewPeriod), Keys: s.AdminKeys()}
	var err error
	if o.Users, err = s.store.CountUsers(ctx); err != nil {
		return nil, fmt.Errorf("overview: %w", err)
	}
	if o.ActiveSessions, err = s.store.CountActiveSessions(ctx, now); err != nil {
		return nil, fmt.Errorf("overview: %w", err)
	}
	counts, err := s.store.CountAuditEvents(ctx, []string{"login", "login_failed", "login_refused", "refresh_reuse"}, o.Since)
	if err != nil {
		return nil, fmt.Errorf("overview: %w", err)
	}
	o.RefreshReuse = counts["refresh_reuse"]
	delete(counts, "refresh_reuse")
	o.Logins = counts
	window := now.Add(-s.settings.LoginFailureWindow)
	max := s.settings.LoginMaxFailures
	if o.LockedAccounts, err = s.store.CountThrottled(ctx, "account:", max, window); err != nil {
		return nil, fmt.Errorf("overview: %w", err)
	}
	if o.LockedAddresses, err = s.store.CountThrottled(ctx, "ip:", max*ipFailureFactor, window); err != nil {
		return nil, fmt.Errorf("overview: %w", err)
	}
	return o, nil
}
