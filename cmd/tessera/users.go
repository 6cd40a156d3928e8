package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"os/user"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/tessera-id/tessera/internal/auth"
	"github.com/tessera-id/tessera/internal/server"
	"github.com/tessera-id/tessera/internal/view"
)

// operator is one run of an operator command: Tessera assembled as serve
// assembles it (same database, keys and rules), without a listener. The
// commands call the same auth methods as the admin API, with an Actor
// naming the operating-system account, and print the API's JSON with
// --json.
type operator struct {
	cmd *cobra.Command
	srv *server.Server
}

// operatorCmd builds a command that runs fn over an assembled Tessera, on
// the database and keys serve prepared (it never creates them). It reads
// every setting as serve does, shows --database-url, --keys-dir and the
// extra settings named as flags, and takes --json.
func operatorCmd(use, short string, args cobra.PositionalArgs, fn func(o *operator, args []string) error, extra ...string) *cobra.Command {
	cmd := &cobra.Command{Use: use, Short: short, Args: args}
	cfg := settings(cmd, append([]string{"database-url", "keys-dir"}, extra...)...)
	cmd.Flags().Bool("json", false, "print JSON, in the admin API's shapes, instead of a table")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		srv, err := openServer(cmd, cfg)
		if err != nil {
			return withoutSecrets(cfg, err)
		}
		defer srv.Close()
		return withoutSecrets(cfg, explain(fn(&operator{cmd: cmd, srv: srv}, args)))
	}
	return cmd
}

func (o *operator) ctx() context.Context { return o.cmd.Context() }

// actor names who runs the command in the audit log.
func (o *operator) actor() auth.Actor {
	name := os.Getenv("USER")
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	if name == "" {
		name = "unknown"
	}
	return auth.Actor{Operator: name, Device: auth.Device{UserAgent: "tessera-cli/" + version}}
}

// print writes v as JSON with --json, otherwise the table rows gives.
func (o *operator) print(v any, rows func(w io.Writer)) error {
	out := o.cmd.OutOrStdout()
	if asJSON, _ := o.cmd.Flags().GetBool("json"); asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	rows(w)
	return w.Flush()
}

// more tells a person at a table how to get the next page.
func (o *operator) more(next string) {
	if asJSON, _ := o.cmd.Flags().GetBool("json"); next != "" && !asJSON {
		fmt.Fprintf(o.cmd.ErrOrStderr(), "more: repeat with --cursor %s\n", next)
	}
}

// explain spells out an *auth.Error's fields, so that a refused password
// says which rule it broke.
func explain(err error) error {
	var ae *auth.Error
	if !errors.As(err, &ae) || len(ae.Fields) == 0 {
		return err
	}
	var b strings.Builder
	b.WriteString(ae.Message)
	for _, f := range slices.Sorted(maps.Keys(ae.Fields)) {
		for _, msg := range ae.Fields[f] {
			fmt.Fprintf(&b, "\n  %s: %s", f, msg)
		}
	}
	return errors.New(b.String())
}

func when(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04:05Z")
}

func newUsersCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "users", Short: "Manage users"}
	cmd.AddCommand(newUsersCreateCmd(), newUsersListCmd(), newUsersShowCmd(),
		newUsersActiveCmd("disable", false), newUsersActiveCmd("enable", true), newUsersTokenCmd(), newUsersStatsCmd())
	return cmd
}

func printUser(o *operator, u view.AdminUser) error {
	return o.print(u, func(w io.Writer) {
		fmt.Fprintln(w, "ID\tEMAIL\tUSERNAME\tACTIVE\tADMIN\tVERIFIED\tCREATED\tLAST LOGIN")
		name := "-"
		if u.Username != nil {
			name = *u.Username
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%v\t%v\t%v\t%s\t%s\n", u.ID, u.Email, name, u.IsActive, u.IsAdmin,
			u.EmailVerified, when(&u.CreatedAt), when(u.LastLoginAt))
	})
}

func newUsersCreateCmd() *cobra.Command {
	var in auth.CreateUserInput
	var fromStdin bool
	cmd := operatorCmd("create", "Create a user (the first admin: --admin)", cobra.NoArgs, func(o *operator, _ []string) error {
		pw, err := readPassword(o.cmd, fromStdin)
		if err != nil {
			return err
		}
		in.Password = pw
		u, err := o.srv.Auth.AdminCreateUser(o.ctx(), o.actor(), in)
		if err != nil {
			return err
		}
		return printUser(o, view.NewAdminUser(u))
	}, "password-min-length")
	f := cmd.Flags()
	f.StringVar(&in.Email, "email", "", "e-mail address (required)")
	f.StringVar(&in.Username, "username", "", "optional username")
	f.BoolVar(&in.IsAdmin, "admin", false, "make the user an administrator")
	f.BoolVar(&in.EmailVerified, "email-verified", true, "mark the address confirmed (the operator vouches for it)")
	f.BoolVar(&fromStdin, "password-stdin", false, "read the password from the first line of stdin")
	_ = cmd.MarkFlagRequired("email")
	return cmd
}

func newUsersListCmd() *cobra.Command {
	var (
		prefix string
		page   auth.PageInput
	)
	cmd := operatorCmd("list", "List users, newest first", cobra.NoArgs, func(o *operator, _ []string) error {
		p, err := o.srv.Auth.AdminListUsers(o.ctx(), prefix, page)
		if err != nil {
			return err
		}
		list := view.NewAdminList("users", p, view.NewAdminUser)
		err = o.print(list, func(w io.Writer) {
			fmt.Fprintln(w, "ID\tEMAIL\tACTIVE\tADMIN\tVERIFIED\tCREATED\tLAST LOGIN")
			for _, u := range p.Items {
				fmt.Fprintf(w, "%s\t%s\t%v\t%v\t%v\t%s\t%s\n", u.ID, u.Email, u.IsActive, u.IsAdmin,
					u.EmailVerifiedAt != nil, when(&u.CreatedAt), when(u.LastLoginAt))
			}
		})
		o.more(p.NextCursor)
		return err
	})
	cmd.Flags().StringVar(&prefix, "email-prefix", "", "only e-mails starting with this (case-insensitive)")
	pageFlags(cmd, &page)
	return cmd
}

func pageFlags(cmd *cobra.Command, p *auth.PageInput) {
	cmd.Flags().IntVar(&p.Limit, "limit", auth.DefaultPageSize, fmt.Sprintf("rows per page (1-%d)", auth.MaxPageSize))
	cmd.Flags().StringVar(&p.Cursor, "cursor", "", "continue after a previous page")
}

func newUsersShowCmd() *cobra.Command {
	return operatorCmd("show <email|id>", "Show one user", cobra.ExactArgs(1), func(o *operator, args []string) error {
		u, err := o.srv.Auth.AdminFindUser(o.ctx(), args[0])
		if err != nil {
			return err
		}
		return printUser(o, view.NewAdminUser(u))
	})
}

// newUsersActiveCmd is `users disable` and `users enable`; disabling ends
// every session and the classic token at once.
func newUsersActiveCmd(use string, active bool) *cobra.Command {
	short := "Enable a user"
	if !active {
		short = "Disable a user: every session and the classic token end at once"
	}
	return operatorCmd(use+" <email|id>", short, cobra.ExactArgs(1), func(o *operator, args []string) error {
		u, err := o.srv.Auth.AdminFindUser(o.ctx(), args[0])
		if err != nil {
			return err
		}
		if u, err = o.srv.Auth.AdminUpdateUser(o.ctx(), o.actor(), u.ID, auth.UserPatch{IsActive: &active}); err != nil {
			return err
		}
		return printUser(o, view.NewAdminUser(u))
	})
}

func newUsersTokenCmd() *cobra.Command {
	var (
		rotate bool
		client string
	)
	cmd := operatorCmd("token <email|id>", "Print the user's classic token, creating it if needed (DRF's drf_create_token)",
		cobra.ExactArgs(1), func(o *operator, args []string) error {
			u, err := o.srv.Auth.AdminFindUser(o.ctx(), args[0])
			if err != nil {
				return err
			}
			t, err := o.srv.Auth.AdminUserToken(o.ctx(), o.actor(), u, client, rotate)
			if err != nil {
				return err
			}
			v := map[string]any{"token": t.Key, "token_type": "Token", "created_at": t.CreatedAt}
			return o.print(v, func(w io.Writer) { fmt.Fprintln(w, t.Key) })
		})
	cmd.Flags().BoolVar(&rotate, "rotate", false, "replace the token with a new one (the old one stops working)")
	cmd.Flags().StringVar(&client, "client", "", "client whose policy must allow classic tokens (default: the default client)")
	return cmd
}

// readPassword reads the new password: the first line of stdin with
// --password-stdin, otherwise twice from the terminal. Echo is turned off
// with stty where there is one (golang.org/x/term is not a dependency);
// elsewhere the input is visible, and the prompt says so.
func readPassword(cmd *cobra.Command, fromStdin bool) (string, error) {
	in := bufio.NewReader(cmd.InOrStdin())
	if fromStdin {
		return readLine(in)
	}
	f, ok := cmd.InOrStdin().(*os.File)
	if !ok || !isTerminal(f) {
		return "", errors.New("stdin is not a terminal: pipe the password in with --password-stdin")
	}
	stderr := cmd.ErrOrStderr()
	restore := noEcho(f)
	defer restore()
	var pw [2]string
	for i, prompt := range []string{"Password: ", "Password (again): "} {
		fmt.Fprint(stderr, prompt)
		line, err := readLine(in)
		fmt.Fprintln(stderr)
		if err != nil {
			return "", err
		}
		pw[i] = line
	}
	if pw[0] != pw[1] {
		return "", errors.New("the two passwords differ")
	}
	return pw[0], nil
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// readLine returns one line without its line ending; nothing else is
// trimmed (passwords may start or end with spaces).
func readLine(r *bufio.Reader) (string, error) {
	line, err := r.ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && line != "") {
		return "", fmt.Errorf("read password: %w", err)
	}
	return strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r"), nil
}

// noEcho turns terminal echo off and returns what turns it back on.
func noEcho(tty *os.File) func() {
	off := exec.Command("stty", "-echo")
	off.Stdin = tty
	if off.Run() != nil {
		fmt.Fprintln(os.Stderr, "(could not hide the input: it will be visible)")
		return func() {}
	}
	return func() {
		on := exec.Command("stty", "echo")
		on.Stdin = tty
		_ = on.Run()
	}
}
