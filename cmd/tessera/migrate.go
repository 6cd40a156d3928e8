package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/tessera-id/tessera/internal/store/sqlstore"
)

func newMigrateCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "migrate", Short: "Manage the database schema"}
	cmd.AddCommand(migrateSub("up", "Apply every pending migration (creates a SQLite database when missing)", true, func(cmd *cobra.Command, db *sqlstore.DB) error {
		if err := db.Migrate(cmd.Context()); err != nil {
			return err
		}
		fmt.Fprintln(cmd.OutOrStdout(), "database is up to date")
		return nil
	}))
	cmd.AddCommand(migrateSub("status", "List migrations and whether each is applied", false, func(cmd *cobra.Command, db *sqlstore.DB) error {
		list, err := db.MigrationStatus(cmd.Context())
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "VERSION\tNAME\tAPPLIED")
		for _, m := range list {
			applied := "pending"
			if m.Applied {
				applied = m.AppliedAt.UTC().Format("2006-01-02 15:04:05Z")
			}
			fmt.Fprintf(w, "%d\t%s\t%s\n", m.Version, m.Source, applied)
		}
		return w.Flush()
	}))
	return cmd
}

// migrateSub builds `migrate up` (create true: the database is created
// when missing) and `migrate status` (it must exist). Both read every
// setting as serve does and show --database-url.
func migrateSub(use, short string, create bool, run func(*cobra.Command, *sqlstore.DB) error) *cobra.Command {
	cmd := &cobra.Command{Use: use, Short: short, Args: cobra.NoArgs}
	cfg := settings(cmd, "database-url")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		if err := loadConfig(cfg, cmd.Flags()); err != nil {
			return err
		}
		db, err := sqlstore.Open(cmd.Context(), cfg.DatabaseURL, sqlstore.Options{MaxOpenConns: 2, MustExist: !create})
		if err != nil {
			return withoutSecrets(cfg, err)
		}
		defer db.Close()
		return withoutSecrets(cfg, run(cmd, db))
	}
	return cmd
}
