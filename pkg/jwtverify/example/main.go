// Command example is a resource server that trusts Tessera: it verifies
// Tessera's access tokens offline (JWKS fetched and cached, revocation feed
// polled) and serves one route to any signed-in user and one to admins.
//
//	go run ./pkg/jwtverify/example -issuer http://127.0.0.1:8080
//
// It imports only the public packages (jwtverify, ginjwt): it is what a
// third-party API needs, and never Tessera's internals.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tessera-id/tessera/pkg/jwtverify"
	"github.com/tessera-id/tessera/pkg/jwtverify/ginjwt"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stderr, nil); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "example:", err)
		}
		os.Exit(2)
	}
}

// options are the command-line flags.
type options struct {
	issuer, audience, addr, cookie string
	revocations                    bool
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("example", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.issuer, "issuer", "http://127.0.0.1:8080", "Tessera's issuer URL, exactly as TESSERA_ISSUER")
	fs.StringVar(&o.audience, "audience", "", "audience tokens must carry (default: the issuer, Tessera's default TESSERA_AUDIENCE)")
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8081", "listen address")
	fs.StringVar(&o.cookie, "cookie", "", "also read the token from this cookie (e.g. __Host-tessera_access)")
	fs.BoolVar(&o.revocations, "revocations", true, "poll Tessera's revocation feed so revoked devices are refused within a poll interval")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if o.audience == "" {
		o.audience = o.issuer
	}
	return o, nil
}

// run serves until ctx ends. ready, when not nil, receives the listening
// address once the server accepts connections.
func run(ctx context.Context, args []string, stderr io.Writer, ready chan<- string) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))

	opts := []jwtverify.Option{jwtverify.WithAudience(o.audience)}
	if o.revocations {
		opts = append(opts, jwtverify.WithRevocationWatcher())
	}
	startCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
	v, err := jwtverify.FromIssuer(startCtx, o.issuer, opts...)
	cancel()
	if err != nil {
		return fmt.Errorf("trust %s: %w", o.issuer, err)
	}
	defer v.Close()

	var mw []ginjwt.Option
	if o.cookie != "" {
		mw = append(mw, ginjwt.WithCookie(o.cookie))
	}
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: newRouter(v, mw...), ReadHeaderTimeout: 10 * time.Second, MaxHeaderBytes: 64 << 10}
	log.Info("serving", "addr", ln.Addr().String(), "issuer", o.issuer, "audience", o.audience, "revocations", o.revocations)
	if ready != nil {
		ready <- ln.Addr().String()
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(shutdown)
}

// newRouter serves GET /api/hello to any valid token and GET
// /api/admin/stats to tokens with the admin role.
func newRouter(v *jwtverify.Verifier, opts ...ginjwt.Option) *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Use(gin.Recovery())
	r.GET("/healthz", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })

	api := r.Group("/api", ginjwt.Middleware(v, opts...))
	api.GET("/hello", func(c *gin.Context) {
		claims, _ := ginjwt.ClaimsFrom(c)
		c.JSON(http.StatusOK, gin.H{
			"hello": claims.Subject, "session": claims.SessionID, "client": claims.ClientID, "roles": claims.Roles,
		})
	})
	api.GET("/admin/stats", ginjwt.RequireRole("admin"), func(c *gin.Context) {
		claims, _ := ginjwt.ClaimsFrom(c)
		c.JSON(http.StatusOK, gin.H{"admin": claims.Subject, "orders_today": 42})
	})
	return r
}
