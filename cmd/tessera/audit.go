package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tessera-id/tessera/internal/auth"
	"github.com/tessera-id/tessera/internal/server"
	"github.com/tessera-id/tessera/internal/view"
)

// auditPruneEvery is how often serve prunes the audit log and the rows
// that have ended (see auth.Service.PruneStorage). Every replica does; the
// deletes are idempotent, so they need no coordination.
const auditPruneEvery = time.Hour

func newAuditCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "audit", Short: "Read the audit log"}
	cmd.AddCommand(newAuditTailCmd(), newAuditPruneCmd())
	return cmd
}

func newAuditTailCmd() *cobra.Command {
	var (
		n           int
		ref, event  string
		since, page string
	)
	cmd := operatorCmd("tail", "Show the latest audit events, newest first", cobra.NoArgs, func(o *operator, _ []string) error {
		var f auth.AuditFilter
		if ref != "" {
			u, err := o.srv.Auth.AdminFindUser(o.ctx(), ref)
			if err != nil {
				return err
			}
			f.UserID = &u.ID
		}
		f.Event = event
		if since != "" {
			t, err := time.Parse(time.RFC3339, since)
			if err != nil {
				return fmt.Errorf("--since %q: want an RFC 3339 time such as 2030-01-02T15:04:05Z", since)
			}
			f.Since = t
		}
		p, err := o.srv.Auth.AdminAuditLog(o.ctx(), f, auth.PageInput{Limit: n, Cursor: page})
		if err != nil {
			return err
		}
		err = o.print(view.NewAdminList("events", p, view.NewAdminAuditEvent), func(w io.Writer) {
			fmt.Fprintln(w, "TIME\tEVENT\tACTOR\tUSER\tSESSION\tIP\tDETAILS")
			for _, e := range p.Items {
				v := view.NewAdminAuditEvent(&e)
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", when(&e.CreatedAt), e.Event, deref(v.ActorID),
					deref(v.UserID), deref(v.SessionID), orDash(e.IP), details(e.Details))
			}
		})
		o.more(p.NextCursor)
		return err
	})
	fs := cmd.Flags()
	fs.IntVar(&n, "n", 50, fmt.Sprintf("how many events (1-%d)", auth.MaxPageSize))
	fs.StringVar(&ref, "user", "", "only events about this user (e-mail or id)")
	fs.StringVar(&event, "event", "", "only events of this kind, e.g. login_failed")
	fs.StringVar(&since, "since", "", "only events at or after this RFC 3339 time")
	fs.StringVar(&page, "cursor", "", "continue after a previous page")
	return cmd
}

func newAuditPruneCmd() *cobra.Command {
	return operatorCmd("prune", "Delete audit events older than TESSERA_AUDIT_RETENTION", cobra.NoArgs, func(o *operator, _ []string) error {
		retention := o.srv.Config.AuditRetention
		n, err := o.srv.Auth.PruneAuditEvents(o.ctx(), o.actor(), retention)
		if err != nil {
			return err
		}
		return o.print(map[string]any{"deleted": n, "retention_seconds": int64(retention / time.Second)}, func(w io.Writer) {
			fmt.Fprintf(w, "deleted %d audit events older than %s\n", n, retention)
		})
	}, "audit-retention")
}

// runAuditPruner prunes the audit log and ended storage at once and then
// every auditPruneEvery until ctx ends; serve runs it beside the listener.
// Failures are logged and retried at the next tick.
func runAuditPruner(ctx context.Context, srv *server.Server, log *slog.Logger) {
	actor := auth.Actor{Device: auth.Device{UserAgent: "tessera-serve/" + version}}
	tick := time.NewTicker(auditPruneEvery)
	defer tick.Stop()
	for {
		n, err := srv.Auth.PruneAuditEvents(ctx, actor, srv.Config.AuditRetention)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			log.WarnContext(ctx, "audit prune failed", "err", err)
		case n > 0:
			log.InfoContext(ctx, "audit events pruned", "deleted", n, "retention", srv.Config.AuditRetention)
		}
		pruneStorage(ctx, srv, log)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// pruneStorage runs one auth.Service.PruneStorage and logs what it did.
func pruneStorage(ctx context.Context, srv *server.Server, log *slog.Logger) {
	p, err := srv.Auth.PruneStorage(ctx)
	switch {
	case ctx.Err() != nil:
	case err != nil:
		log.WarnContext(ctx, "storage prune failed", "err", err)
	case p.Total() > 0:
		log.InfoContext(ctx, "ended rows pruned", "sessions", p.Sessions, "session_tombstones", p.Tombstones,
			"one_time_tokens", p.OneTimeTokens, "login_throttle", p.LoginThrottles,
			"authorization_codes", p.AuthorizationCodes, "mfa_challenges", p.MFAChallenges,
			"webauthn_challenges", p.WebAuthnChallenges)
	}
}

func deref(s *string) string {
	if s == nil {
		return "-"
	}
	return *s
}

// details shows audit details as sorted key=value pairs.
func details(m map[string]string) string {
	if len(m) == 0 {
		return "-"
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, k+"="+m[k])
	}
	return strings.Join(parts, " ")
}
