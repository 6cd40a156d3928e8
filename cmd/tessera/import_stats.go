package main

import (
	"fmt"
	"io"
	"maps"
	"slices"

	"github.com/spf13/cobra"
)

func newUsersStatsCmd() *cobra.Command {
	return operatorCmd("stats", "Count users by password hash scheme (how many imported hashes remain)", cobra.NoArgs,
		func(o *operator, _ []string) error {
			st, err := o.srv.Auth.PasswordHashStats(o.ctx())
			if err != nil {
				return err
			}
			v := struct {
				Schemes map[string]int64 `json:"schemes"`
				Total   int64            `json:"total"`
				Foreign int64            `json:"foreign_remaining"`
				Legacy  int64            `json:"legacy_remaining"`
			}{st.Schemes, st.Total, st.Foreign, st.Legacy}
			return o.print(v, func(w io.Writer) {
				fmt.Fprintln(w, "SCHEME\tUSERS")
				for _, name := range slices.Sorted(maps.Keys(st.Schemes)) {
					fmt.Fprintf(w, "%s\t%d\n", name, st.Schemes[name])
				}
				fmt.Fprintf(w, "total\t%d\n", st.Total)
				fmt.Fprintf(w, "foreign hashes remaining\t%d\n", st.Foreign)
				fmt.Fprintf(w, "legacy digests remaining\t%d\n", st.Legacy)
			})
		})
}
