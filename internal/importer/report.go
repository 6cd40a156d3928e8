package importer

import (
	"context"
	"io"
	"time"

	"github.com/tessera-id/tessera/internal/auth"
)

// Sink is what an import writes through; *auth.Service is one.
type Sink interface {
	ImportUser(ctx context.Context, in auth.ImportedUser, opts auth.ImportOptions) (auth.ImportResult, error)
	ImportClassicToken(ctx context.Context, ref auth.ImportRef, key string, created time.Time, opts auth.ImportOptions) (auth.ImportResult, error)
	ImportEmailAddress(ctx context.Context, ref auth.ImportRef, email string, verified bool, opts auth.ImportOptions) (auth.ImportResult, error)
}

var _ Sink = (*auth.Service)(nil)

// Who becomes an admin, for Options.AdminFrom.
const (
	AdminFromSuperuser = "superuser" // is_superuser only (the default)
	AdminFromStaff     = "staff"     // is_staff or is_superuser
	AdminFromNone      = "none"      // nobody
)

// Options tune an import.
type Options struct {
	auth.ImportOptions
	// AdminFrom is AdminFromSuperuser (also when empty), AdminFromStaff or
	// AdminFromNone.
	AdminFrom string
	// Progress, when set, is told how many bytes of how many were read so
	// far (a Django dump is read three times: total counts every pass).
	Progress func(done, total int64)
}

func (o Options) isAdmin(staff, superuser bool) bool {
	switch o.AdminFrom {
	case AdminFromNone:
		return false
	case AdminFromStaff:
		return staff || superuser
	}
	return superuser
}

// MaxListedSkips bounds Report.Skips; the rest are only counted.
const MaxListedSkips = 10_000

// Counts are the outcomes of one kind of record.
type Counts struct {
	Created   int64 `json:"created"`
	Updated   int64 `json:"updated"`
	Unchanged int64 `json:"unchanged"`
	Skipped   int64 `json:"skipped"`
}

// Skip is a record that was not imported, and why.
type Skip struct {
	Kind   string `json:"kind"` // "user", "token" or "email"
	Ref    string `json:"ref"`
	Reason string `json:"reason"`
}

// Report says what an import did (or, in a dry run, would do).
type Report struct {
	DryRun    bool   `json:"dry_run"`
	Users     Counts `json:"users"`
	Tokens    Counts `json:"tokens"`
	Addresses Counts `json:"email_addresses"`
	// Skips lists the first MaxListedSkips skipped records; MoreSkips
	// counts the others.
	Skips     []Skip `json:"skips"`
	MoreSkips int64  `json:"more_skips"`
	// MustReset counts the imported accounts whose password cannot be used
	// (they must reset it), by reason.
	MustReset map[string]int64 `json:"must_reset"`
}

func newReport(dry bool) *Report {
	return &Report{DryRun: dry, Skips: []Skip{}, MustReset: map[string]int64{}}
}

// add counts res for a record of kind named ref.
func (r *Report) add(c *Counts, kind, ref string, res auth.ImportResult) {
	switch res.Outcome {
	case auth.ImportCreated:
		c.Created++
	case auth.ImportUpdated:
		c.Updated++
	case auth.ImportUnchanged:
		c.Unchanged++
	case auth.ImportSkipped:
		c.Skipped++
		if len(r.Skips) < MaxListedSkips {
			r.Skips = append(r.Skips, Skip{Kind: kind, Ref: ref, Reason: res.Reason})
		} else {
			r.MoreSkips++
		}
	}
	if res.MustReset != "" && res.Outcome != auth.ImportSkipped {
		r.MustReset[res.MustReset]++
	}
}

// skip records a record the reader itself could not use.
func (r *Report) skip(c *Counts, kind, ref, reason string) {
	r.add(c, kind, ref, auth.ImportResult{Outcome: auth.ImportSkipped, Reason: reason})
}

// countingReader tells progress how far the reading got.
type countingReader struct {
	r        io.Reader
	base     int64
	n, total int64
	progress func(done, total int64)
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if c.progress != nil && n > 0 {
		c.progress(c.base+c.n, c.total)
	}
	return n, err
}
