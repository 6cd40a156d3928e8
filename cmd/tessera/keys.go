package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/tessera-id/tessera/internal/config"
	"github.com/tessera-id/tessera/internal/keys"
	"github.com/tessera-id/tessera/internal/server"
)

func newKeysCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "keys",
		Short: "Manage signing keys",
		Long: `Signing keys live in the keys dir (TESSERA_KEYS_DIR), one PEM file each. A key's state
follows from the files and the clock alone, so every replica agrees: next (published, not
signing yet), active (signs), retiring (published until its tokens expired), retired.
Serving processes re-read the dir every 30 seconds.`,
	}
	cmd.AddCommand(newKeysListCmd(), newKeysRotateCmd(), newKeysPruneCmd())
	return cmd
}

// keySettings are the settings the keys commands use: where the keys are,
// and the JWKS cache lifetime their schedule follows from.
var keySettings = []string{"keys-dir", "jwks-max-age"}

// openRing loads the keys dir with the schedule the configuration implies.
// With mustExist it writes nothing: a missing dir, key or secret is an
// error; otherwise a first key and the secret are created when missing.
func openRing(cfg *config.Config, mustExist bool) (*keys.Ring, error) {
	o := server.KeyOptions(*cfg, time.Now)
	o.MustExist = mustExist
	return keys.Open(cfg.KeysDir, o)
}

func newKeysListCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use: "list", Short: "List keys with their state and schedule", Args: cobra.NoArgs,
	}
	cfg := settings(cmd, keySettings...)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		if err := loadConfig(cfg, cmd.Flags()); err != nil {
			return err
		}
		ring, err := openRing(cfg, true)
		if err != nil {
			return err
		}
		return printKeys(cmd.OutOrStdout(), ring.Keys(), asJSON)
	}
	return cmd
}

func newKeysRotateCmd() *cobra.Command {
	var alg string
	cmd := &cobra.Command{
		Use:   "rotate",
		Short: "Add a key that is published now and signs after one JWKS cache lifetime and a keys-dir reload, 30 s (in an empty dir: the first key)",
		Args:  cobra.NoArgs,
	}
	cfg := settings(cmd, keySettings...)
	cmd.Flags().StringVar(&alg, "alg", "", "algorithm of the new key (default: TESSERA_SIGNING_ALG)")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		if err := loadConfig(cfg, cmd.Flags()); err != nil {
			return err
		}
		if alg == "" {
			alg = cfg.SigningAlg
		}
		start := time.Now().UTC().Truncate(time.Second)
		ring, err := openRing(cfg, true)
		if errors.Is(err, keys.ErrNoKeys) {
			// A dir without keys: its first key, which signs at once, is
			// the rotation (a second one now would share its file name).
			first := *cfg
			first.SigningAlg = alg
			ring, err = openRing(&first, false)
			if err == nil {
				// Unless the dir held keys and lacked only the refresh
				// secret: then only the secret was made, and the key
				// asked for is still to come.
				if ks := ring.Keys(); len(ks) == 1 && !ks[0].Created.Before(start) {
					return printKeys(cmd.OutOrStdout(), ks, false)
				}
			}
		}
		if err != nil {
			return err
		}
		if _, err := ring.Rotate(alg); err != nil {
			return err
		}
		return printKeys(cmd.OutOrStdout(), ring.Keys(), false)
	}
	return cmd
}

func newKeysPruneCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "prune", Short: "Delete the files of retired keys", Args: cobra.NoArgs}
	cfg := settings(cmd, keySettings...)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		if err := loadConfig(cfg, cmd.Flags()); err != nil {
			return err
		}
		ring, err := openRing(cfg, true)
		if err != nil {
			return err
		}
		removed, err := ring.Prune()
		for _, k := range removed {
			fmt.Fprintf(cmd.OutOrStdout(), "removed %s (%s)\n", k.ID, k.File)
		}
		if err == nil && len(removed) == 0 {
			fmt.Fprintln(cmd.OutOrStdout(), "no retired keys")
		}
		return err
	}
	return cmd
}

func printKeys(w io.Writer, list []keys.KeyInfo, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(list)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KID\tALG\tSTATE\tCREATED\tSIGNS FROM\tPUBLISHED UNTIL")
	for _, k := range list {
		until := "-"
		if !k.PublishedUntil.IsZero() {
			until = k.PublishedUntil.Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", k.ID, k.Algorithm, k.State,
			k.Created.Format(time.RFC3339), k.SignsFrom.Format(time.RFC3339), until)
	}
	return tw.Flush()
}
