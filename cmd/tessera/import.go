package main

import (
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tessera-id/tessera/internal/importer"
)

func newImportCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "import", Short: "Import accounts from another system (Django, JSON lines)"}
	cmd.AddCommand(newImportDjangoCmd(), newImportUsersCmd())
	return cmd
}

// importFlags adds the flags every import takes to cmd.
func importFlags(cmd *cobra.Command, opts *importer.Options) {
	f := cmd.Flags()
	f.BoolVar(&opts.DryRun, "dry-run", false, "check and report, write nothing")
	f.BoolVar(&opts.AllowLegacyHashes, "allow-legacy-hashes", false,
		"keep md5, sha1 and unsalted password digests (otherwise those accounts must reset their password)")
}

func newImportDjangoCmd() *cobra.Command {
	var opts importer.Options
	cmd := operatorCmd("django FILE", "Import users, groups, DRF token keys and allauth addresses from manage.py dumpdata JSON",
		cobra.ExactArgs(1), func(o *operator, args []string) error {
			switch opts.AdminFrom {
			case importer.AdminFromSuperuser, importer.AdminFromStaff, importer.AdminFromNone:
			default:
				return fmt.Errorf("--admin-from %q: want superuser, staff or none", opts.AdminFrom)
			}
			done := progressBar(o.cmd.ErrOrStderr(), &opts)
			rep, err := importer.Django(o.ctx(), args[0], o.srv.Auth, opts)
			done()
			return finishImport(o, "django", args[0], rep, err)
		})
	importFlags(cmd, &opts)
	cmd.Flags().StringVar(&opts.AdminFrom, "admin-from", importer.AdminFromSuperuser,
		"who becomes a Tessera admin: superuser (is_superuser), staff (is_staff or is_superuser) or none")
	return cmd
}

func newImportUsersCmd() *cobra.Command {
	var opts importer.Options
	cmd := operatorCmd("users FILE.jsonl", "Import users from JSON lines (Supabase/GoTrue, Auth0 and other exports)",
		cobra.ExactArgs(1), func(o *operator, args []string) error {
			f, err := os.Open(args[0])
			if err != nil {
				return err
			}
			defer f.Close()
			var size int64
			if fi, err := f.Stat(); err == nil {
				size = fi.Size()
			}
			done := progressBar(o.cmd.ErrOrStderr(), &opts)
			rep, err := importer.JSONLines(o.ctx(), f, size, o.srv.Auth, opts)
			done()
			return finishImport(o, "jsonl", args[0], rep, err)
		})
	importFlags(cmd, &opts)
	return cmd
}

// finishImport audits a run that wrote something and prints its report,
// also after a failure part-way (what was done stays done).
func finishImport(o *operator, format, file string, rep *importer.Report, err error) error {
	if rep != nil && !rep.DryRun {
		o.srv.Auth.AuditImport(o.ctx(), o.actor(), map[string]string{
			"format": format, "file": file,
			"created": strconv.FormatInt(rep.Users.Created, 10), "updated": strconv.FormatInt(rep.Users.Updated, 10),
			"skipped": strconv.FormatInt(rep.Users.Skipped, 10), "tokens": strconv.FormatInt(rep.Tokens.Created+rep.Tokens.Updated, 10),
		})
	}
	if rep != nil {
		if perr := o.print(rep, func(w io.Writer) { printReport(w, rep) }); perr != nil && err == nil {
			err = perr
		}
	}
	return err
}

func printReport(w io.Writer, rep *importer.Report) {
	if rep.DryRun {
		fmt.Fprintln(w, "dry run: nothing was written")
	}
	fmt.Fprintln(w, "RECORDS\tCREATED\tUPDATED\tUNCHANGED\tSKIPPED")
	for _, row := range []struct {
		name string
		c    importer.Counts
	}{{"users", rep.Users}, {"tokens", rep.Tokens}, {"email addresses", rep.Addresses}} {
		fmt.Fprintf(w, "%s\t%d\t%d\t%d\t%d\n", row.name, row.c.Created, row.c.Updated, row.c.Unchanged, row.c.Skipped)
	}
	for _, s := range rep.Skips {
		fmt.Fprintf(w, "skipped %s %s: %s\n", s.Kind, s.Ref, s.Reason)
	}
	if rep.MoreSkips > 0 {
		fmt.Fprintf(w, "skipped: %d more not listed\n", rep.MoreSkips)
	}
	for _, reason := range slices.Sorted(maps.Keys(rep.MustReset)) {
		fmt.Fprintf(w, "must reset password: %d (%s)\n", rep.MustReset[reason], reason)
	}
}

// progressBar sets opts.Progress to draw a bar on w when w is a terminal,
// and returns the function that ends the line. Elsewhere (a pipe, a log
// file) nothing is drawn.
func progressBar(w io.Writer, opts *importer.Options) (done func()) {
	f, ok := w.(*os.File)
	if !ok {
		return func() {}
	}
	if fi, err := f.Stat(); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return func() {}
	}
	last := -1
	opts.Progress = func(n, total int64) {
		if total <= 0 {
			return
		}
		pct := int(n * 100 / total)
		if pct == last {
			return
		}
		last = pct
		fmt.Fprintf(f, "\r[%-40s] %3d%%", strings.Repeat("=", pct*40/100), pct)
	}
	return func() {
		if last >= 0 {
			fmt.Fprintln(f)
		}
	}
}
