package main

import "github.com/spf13/cobra"

func newClientsCmd() *cobra.Command {
	return &cobra.Command{Use: "clients", Short: "Manage client applications"}
}
