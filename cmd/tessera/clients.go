package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/tessera-id/tessera/internal/auth"
	"github.com/tessera-id/tessera/internal/store"
	"github.com/tessera-id/tessera/internal/view"
)

func newClientsCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "clients", Short: "Manage client applications"}
	cmd.AddCommand(newClientsAddCmd(), newClientsListCmd(), newClientsUpdateCmd(), newClientsRemoveCmd(),
		newClientsRotateSecretCmd())
	return cmd
}

// clientFlags are the settable fields of a client. Their names avoid
// serve's own flags (--access-ttl, --cors-origins, --audience), which every
// operator command also takes.
type clientFlags struct {
	name                                 string
	delivery                             []string
	accessTTL, idle, maxTTL              time.Duration
	origins, audiences                   []string
	redirectURIs, logoutURIs             []string
	grantTypes, scopes                   []string
	confidential, firstParty, logoutEnds bool
}

func (f *clientFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.name, "name", "", "display name")
	fs.StringSliceVar(&f.delivery, "delivery", nil, "allowed delivery modes: body, cookie, session, token (default on add: all)")
	fs.DurationVar(&f.accessTTL, "access-token-ttl", 0, "access token lifetime, at most 24h (0: the server's)")
	fs.DurationVar(&f.idle, "idle-ttl", 0, "session idle lifetime, e.g. 2160h (0: the server's)")
	fs.DurationVar(&f.maxTTL, "max-ttl", 0, "session absolute lifetime (0: the server's)")
	fs.StringSliceVar(&f.origins, "origins", nil, "CORS origins allowed with credentials, scheme://host[:port]")
	fs.StringSliceVar(&f.audiences, "audiences", nil, "audiences of the client's access tokens (default: the server's)")
	fs.StringSliceVar(&f.redirectURIs, "redirect-uris", nil, "OAuth redirect URIs, matched character for character (at most 20)")
	fs.StringSliceVar(&f.logoutURIs, "post-logout-redirect-uris", nil, "where RP-initiated logout may send the browser (at most 20)")
	fs.BoolVar(&f.firstParty, "first-party", false, "the operator's own application: no consent page")
	fs.StringSliceVar(&f.grantTypes, "grant-types", nil, "authorization_code, refresh_token, client_credentials (default on add: the first two)")
	fs.StringSliceVar(&f.scopes, "scopes", nil, "allowed scopes: openid, profile, email, offline_access (default on add: all)")
	fs.BoolVar(&f.logoutEnds, "logout-ends-sessions", false, "RP-initiated logout also ends every session of the browser's sign-in")
}

// input returns the flags the command line set, as auth expects them.
func (f *clientFlags) input(fs *pflag.FlagSet, id string) auth.ClientInput {
	in := auth.ClientInput{ID: id}
	set := fs.Changed
	if set("name") {
		in.Name = &f.name
	}
	for _, l := range []struct {
		flag string
		src  []string
		dst  *[]string
	}{{"delivery", f.delivery, &in.AllowedDelivery}, {"origins", f.origins, &in.CORSOrigins}, {"audiences", f.audiences, &in.Audiences},
		{"redirect-uris", f.redirectURIs, &in.RedirectURIs}, {"post-logout-redirect-uris", f.logoutURIs, &in.PostLogoutRedirectURIs},
		{"grant-types", f.grantTypes, &in.GrantTypes}, {"scopes", f.scopes, &in.Scopes}} {
		if set(l.flag) {
			*l.dst = append([]string{}, l.src...)
		}
	}
	for _, d := range []struct {
		flag string
		src  *time.Duration
		dst  **time.Duration
	}{{"access-token-ttl", &f.accessTTL, &in.AccessTTL}, {"idle-ttl", &f.idle, &in.IdleTTL}, {"max-ttl", &f.maxTTL, &in.MaxTTL}} {
		if set(d.flag) {
			*d.dst = d.src
		}
	}
	for _, b := range []struct {
		flag string
		src  *bool
		dst  **bool
	}{{"first-party", &f.firstParty, &in.FirstParty}, {"logout-ends-sessions", &f.logoutEnds, &in.LogoutEndsSessions}} {
		if set(b.flag) {
			*b.dst = b.src
		}
	}
	if f.confidential {
		confidential := store.ClientConfidential
		in.Type = &confidential
	}
	return in
}

func printClients(o *operator, v any, list []store.Client) error {
	return o.print(v, func(w io.Writer) {
		fmt.Fprintln(w, "CLIENT\tNAME\tTYPE\tDELIVERY\tACCESS\tIDLE\tMAX\tCORS ORIGINS\tAUDIENCES\tREDIRECT URIS")
		for _, c := range list {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", c.ID, c.Name, clientType(&c),
				strings.Join(c.AllowedDelivery, ","), ttl(c.AccessTTL), ttl(c.IdleTTL), ttl(c.MaxTTL),
				orDash(strings.Join(c.CORSOrigins, ",")), orDash(strings.Join(c.Audiences, ",")),
				orDash(strings.Join(c.RedirectURIs, ",")))
		}
	})
}

// clientType shows a client's type, and "first-party" when it is one.
func clientType(c *store.Client) string {
	if c.FirstParty {
		return c.Type + ",first-party"
	}
	return c.Type
}

// printSecret shows a new client secret after the client: once, and never
// again.
func printSecret(o *operator, c *store.Client, secret string) error {
	err := printClients(o, view.NewAdminClientWithSecret(c, secret), []store.Client{*c})
	if asJSON, _ := o.cmd.Flags().GetBool("json"); err == nil && secret != "" && !asJSON {
		_, err = fmt.Fprintf(o.cmd.OutOrStdout(), "client secret (shown once, keep it now): %s\n", secret)
	}
	return err
}

// ttl shows a client lifetime: whole days as "90d", 0 as "default".
func ttl(d time.Duration) string {
	switch {
	case d == 0:
		return "default"
	case d%(24*time.Hour) == 0:
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	return d.String()
}

func newClientsAddCmd() *cobra.Command {
	var f clientFlags
	cmd := operatorCmd("add <client-id>", "Register a client application", cobra.ExactArgs(1), func(o *operator, args []string) error {
		c, secret, err := o.srv.Auth.AdminCreateClient(o.ctx(), o.actor(), f.input(o.cmd.Flags(), args[0]))
		if err != nil {
			return err
		}
		return printSecret(o, c, secret)
	})
	f.register(cmd.Flags())
	cmd.Flags().BoolVar(&f.confidential, "confidential", false, "a confidential client: it gets a secret, shown once")
	_ = cmd.MarkFlagRequired("name")
	return cmd
}

func newClientsListCmd() *cobra.Command {
	var page auth.PageInput
	cmd := operatorCmd("list", "List client applications", cobra.NoArgs, func(o *operator, _ []string) error {
		p, err := o.srv.Auth.AdminListClients(o.ctx(), page)
		if err != nil {
			return err
		}
		err = printClients(o, view.NewAdminList("clients", p, view.NewAdminClient), p.Items)
		o.more(p.NextCursor)
		return err
	})
	pageFlags(cmd, &page)
	return cmd
}

func newClientsUpdateCmd() *cobra.Command {
	var f clientFlags
	cmd := operatorCmd("update <client-id>", "Change a client application (only the flags given)", cobra.ExactArgs(1), func(o *operator, args []string) error {
		c, err := o.srv.Auth.AdminUpdateClient(o.ctx(), o.actor(), f.input(o.cmd.Flags(), args[0]))
		if err != nil {
			return err
		}
		return printClients(o, view.NewAdminClient(c), []store.Client{*c})
	})
	f.register(cmd.Flags())
	return cmd
}

func newClientsRemoveCmd() *cobra.Command {
	return operatorCmd("remove <client-id>", "Remove a client application and end every session it issued", cobra.ExactArgs(1),
		func(o *operator, args []string) error {
			if err := o.srv.Auth.AdminDeleteClient(o.ctx(), o.actor(), args[0]); err != nil {
				return err
			}
			return o.print(map[string]any{"removed": args[0]}, func(w io.Writer) {
				fmt.Fprintf(w, "client %s removed\n", args[0])
			})
		})
}

func newClientsRotateSecretCmd() *cobra.Command {
	return operatorCmd("rotate-secret <client-id>", "Give a confidential client a new secret (shown once); the old one stops working",
		cobra.ExactArgs(1), func(o *operator, args []string) error {
			c, secret, err := o.srv.Auth.AdminRotateClientSecret(o.ctx(), o.actor(), args[0])
			if err != nil {
				return err
			}
			return printSecret(o, c, secret)
		})
}
