package main

import "github.com/spf13/cobra"

func newKeysCmd() *cobra.Command {
	return &cobra.Command{Use: "keys", Short: "Manage signing keys"}
}
