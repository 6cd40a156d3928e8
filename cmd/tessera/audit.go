package main

import "github.com/spf13/cobra"

func newAuditCmd() *cobra.Command {
	return &cobra.Command{Use: "audit", Short: "Read the audit log"}
}
