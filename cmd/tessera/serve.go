package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/tessera-id/tessera/internal/config"
	"github.com/tessera-id/tessera/internal/logging"
	"github.com/tessera-id/tessera/internal/server"
)

// settings registers on cmd a flag for each setting named (every one when
// none is), and returns the configuration they fill. Every command reads
// every setting the same way (defaults, then TESSERA_*, then flags:
// loadConfig); the names only choose what --help shows.
func settings(cmd *cobra.Command, names ...string) *config.Config {
	cfg := config.Default()
	cfg.Flags(cmd.Flags(), names...)
	return &cfg
}

// loadConfig applies the environment to every setting the command line
// (fs) left alone and validates the result.
func loadConfig(cfg *config.Config, fs *pflag.FlagSet) error {
	// Both steps run so that every problem is reported at once.
	if err := errors.Join(cfg.ApplyEnv(fs, os.LookupEnv), cfg.Validate()); err != nil {
		return fmt.Errorf("configuration:\n%w", err)
	}
	return nil
}

// withoutSecrets returns err with every secret of cfg taken out of its
// text: a driver or a parser may quote a database URL whole.
func withoutSecrets(cfg *config.Config, err error) error {
	if err == nil {
		return nil
	}
	if msg := cfg.Redactor().Replace(err.Error()); msg != err.Error() {
		return errors.New(msg)
	}
	return err
}

// newLogger logs to w at cfg's level and format, with every secret of cfg
// taken out of every message and value.
func newLogger(w io.Writer, cfg config.Config) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	hide := cfg.Redactor()
	opts := &slog.HandlerOptions{Level: level, ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
		return redactAttr(hide, a)
	}}
	return slog.New(logging.New(w, cfg.LogFormat == "json", opts, hide.Replace))
}

// redactAttr takes secrets out of a log attribute's text, errors included.
func redactAttr(hide *strings.Replacer, a slog.Attr) slog.Attr {
	var text string
	switch v := a.Value; {
	case v.Kind() == slog.KindString:
		text = v.String()
	case v.Kind() == slog.KindAny:
		switch x := v.Any().(type) {
		case error:
			text = x.Error()
		case fmt.Stringer:
			text = x.String()
		default:
			return a
		}
	default:
		return a
	}
	if clean := hide.Replace(text); clean != text || a.Value.Kind() == slog.KindAny {
		a.Value = slog.StringValue(clean)
	}
	return a
}

func newServeCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the identity provider (creates and migrates the database and keys when missing)",
		Args:  cobra.NoArgs,
	}
	cfg := settings(cmd)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		if err := loadConfig(cfg, cmd.Flags()); err != nil {
			return err
		}
		return withoutSecrets(cfg, serve(cmd, *cfg))
	}
	return cmd
}

func serve(cmd *cobra.Command, cfg config.Config) error {
	// The log is buffered (one write system call per batch, not per
	// request) and written out whole when serve returns.
	logOut := server.NewLogBuffer(os.Stderr, server.DefaultLogBufferSize, server.DefaultLogFlushInterval)
	defer logOut.Close()
	log := newLogger(logOut, cfg)
	slog.SetDefault(log)
	ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	srv, err := server.New(ctx, cfg, server.Options{Logger: log, Version: version})
	if err != nil {
		return err
	}
	defer srv.Close()
	go runAuditPruner(ctx, srv, log)
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	log.Info("tessera listening", "addr", ln.Addr().String(), "issuer", cfg.Issuer,
		"database", srv.DB.Dialect(), "version", version)
	return srv.Serve(ctx, ln)
}

// openServer assembles Tessera for an operator command over the database
// and keys serve prepared, creating and migrating nothing; no listener.
// The caller closes it.
func openServer(cmd *cobra.Command, cfg *config.Config) (*server.Server, error) {
	if err := loadConfig(cfg, cmd.Flags()); err != nil {
		return nil, err
	}
	return server.New(cmd.Context(), *cfg, server.Options{Logger: newLogger(cmd.ErrOrStderr(), *cfg), MustExist: true, Version: version})
}
