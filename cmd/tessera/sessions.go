package main

import (
	"fmt"
	"io"

	"github.com/google/uuid"
	"github.com/spf13/cobra"

	"github.com/tessera-id/tessera/internal/auth"
	"github.com/tessera-id/tessera/internal/view"
)

func newSessionsCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "sessions", Short: "List and revoke device sessions"}
	cmd.AddCommand(newSessionsListCmd(), newSessionsRevokeCmd())
	return cmd
}

func newSessionsListCmd() *cobra.Command {
	var (
		ref  string
		all  bool
		page auth.PageInput
	)
	cmd := operatorCmd("list", "List a user's device sessions, newest first", cobra.NoArgs, func(o *operator, _ []string) error {
		u, err := o.srv.Auth.AdminFindUser(o.ctx(), ref)
		if err != nil {
			return err
		}
		p, err := o.srv.Auth.AdminListSessions(o.ctx(), u.ID, all, page)
		if err != nil {
			return err
		}
		err = o.print(view.NewAdminList("sessions", p, view.NewAdminSession), func(w io.Writer) {
			fmt.Fprintln(w, "ID\tCLIENT\tKIND\tDEVICE\tIP\tCREATED\tLAST USED\tENDS\tREVOKED")
			for _, s := range p.Items {
				ends := s.ExpiresAt
				if s.IdleExpiresAt.Before(ends) {
					ends = s.IdleExpiresAt
				}
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.ID, s.ClientID, s.Kind, orDash(s.DeviceName),
					orDash(s.IP), when(&s.CreatedAt), when(&s.LastUsedAt), when(&ends), when(s.RevokedAt))
			}
		})
		o.more(p.NextCursor)
		return err
	})
	cmd.Flags().StringVar(&ref, "user", "", "the user's e-mail address or id (required)")
	cmd.Flags().BoolVar(&all, "all", false, "include revoked and expired sessions")
	pageFlags(cmd, &page)
	_ = cmd.MarkFlagRequired("user")
	return cmd
}

func newSessionsRevokeCmd() *cobra.Command {
	return operatorCmd("revoke <session-id>", "Revoke one device session at once", cobra.ExactArgs(1), func(o *operator, args []string) error {
		id, err := uuid.Parse(args[0])
		if err != nil {
			return fmt.Errorf("%q is not a session id", args[0])
		}
		if err := o.srv.Auth.AdminRevokeSession(o.ctx(), o.actor(), id); err != nil {
			return err
		}
		return o.print(map[string]any{"revoked": id.String()}, func(w io.Writer) {
			fmt.Fprintf(w, "session %s revoked\n", id)
		})
	})
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
