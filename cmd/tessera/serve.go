package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/tessera-id/tessera/internal/config"
	"github.com/tessera-id/tessera/internal/server"
)

// loadConfig applies the environment to fs's flags and validates the result.
func loadConfig(cfg *config.Config, fs *pflag.FlagSet) error {
	// Both steps run so that every problem is reported at once.
	if err := errors.Join(config.ApplyEnv(fs, os.LookupEnv), cfg.Validate()); err != nil {
		return fmt.Errorf("configuration:\n%w", err)
	}
	return nil
}

func newLogger(cfg config.Config) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, opts))
}

func newServeCmd() *cobra.Command {
	cfg := config.Default()
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the identity provider (migrates the database first)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := loadConfig(&cfg, cmd.Flags()); err != nil {
				return err
			}
			log := newLogger(cfg)
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
		},
	}
	cfg.Flags(cmd.Flags())
	return cmd
}

// cliConfig gives an operator command every setting of serve (flags and
// TESSERA_* variables alike), so it reaches the same database and keys.
func cliConfig(cmd *cobra.Command) *config.Config {
	cfg := config.Default()
	cfg.Flags(cmd.Flags())
	return &cfg
}

// openServer assembles Tessera for an operator command: database migrated,
// keys loaded, no listener. The caller closes it.
func openServer(cmd *cobra.Command, cfg *config.Config) (*server.Server, error) {
	if err := loadConfig(cfg, cmd.Flags()); err != nil {
		return nil, err
	}
	return server.New(cmd.Context(), *cfg, server.Options{Logger: newLogger(*cfg), Version: version})
}
