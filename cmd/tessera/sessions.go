package main

import "github.com/spf13/cobra"

func newSessionsCmd() *cobra.Command {
	return &cobra.Command{Use: "sessions", Short: "List and revoke device sessions"}
}
