package importer

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/tessera-id/tessera/internal/auth"
	"github.com/tessera-id/tessera/internal/store"
)

// genericUser is one line of the generic JSON-lines form.
type genericUser struct {
	Email         string     `json:"email"`
	Username      string     `json:"username"`
	FirstName     string     `json:"first_name"`
	LastName      string     `json:"last_name"`
	PasswordHash  string     `json:"password_hash"`
	IsActive      *bool      `json:"is_active"`
	IsAdmin       bool       `json:"is_admin"`
	EmailVerified bool       `json:"email_verified"`
	CreatedAt     *time.Time `json:"created_at"`
	LastLoginAt   *time.Time `json:"last_login_at"`
	ExternalID    string     `json:"external_id"`
	Roles         []string   `json:"roles"`
}

// JSONLines imports the generic form, one JSON object a line (any JSON
// whitespace between objects will do): email, username, first_name,
// last_name, password_hash, is_active (default true), is_admin,
// email_verified, created_at and last_login_at (RFC 3339), external_id
// (required: it makes a second run update instead of duplicating) and
// roles ("admin" among them makes an admin). A line with a field of
// another name is skipped, so that a misspelt password_hash cannot import
// accounts without passwords unnoticed. size is the input's length for
// progress (0 when unknown).
func JSONLines(ctx context.Context, r io.Reader, size int64, sink Sink, opts Options) (*Report, error) {
	report := newReport(opts.DryRun)
	cr := &countingReader{r: r, total: size, progress: opts.Progress}
	dec := json.NewDecoder(bufio.NewReaderSize(cr, 64<<10))
	for line := 1; ; line++ {
		if err := ctx.Err(); err != nil {
			return report, err
		}
		var raw json.RawMessage
		err := dec.Decode(&raw)
		if errors.Is(err, io.EOF) {
			return report, nil
		}
		if err != nil {
			return report, fmt.Errorf("jsonl import: record %d: %w", line, err)
		}
		var g genericUser
		strict := json.NewDecoder(bytes.NewReader(raw))
		strict.DisallowUnknownFields()
		if err := strict.Decode(&g); err != nil {
			report.skip(&report.Users, "user", fmt.Sprintf("record %d", line), err.Error())
			continue
		}
		in := auth.ImportedUser{ExternalID: g.ExternalID, Email: g.Email, Username: g.Username,
			FirstName: g.FirstName, LastName: g.LastName, PasswordHash: g.PasswordHash,
			IsActive: g.IsActive == nil || *g.IsActive, IsAdmin: g.IsAdmin || slices.Contains(g.Roles, store.RoleAdmin),
			EmailVerified: g.EmailVerified, Groups: g.Roles, LastLoginAt: g.LastLoginAt}
		if g.CreatedAt != nil {
			in.CreatedAt = *g.CreatedAt
		}
		ref := g.ExternalID
		if ref == "" {
			ref = fmt.Sprintf("record %d", line)
		}
		res, err := sink.ImportUser(ctx, in, opts.ImportOptions)
		if err != nil {
			return report, err
		}
		report.add(&report.Users, "user", ref, res)
	}
}
