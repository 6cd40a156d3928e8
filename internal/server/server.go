// Package server assembles Tessera from a validated configuration: opens and
// migrates the database, loads the keys, builds the use cases and the HTTP
// API, and runs them with a graceful shutdown. `tessera serve` and the
// end-to-end tests start Tessera through it, so both run the same wiring.
//
// It holds no rules of its own: those live in auth, and transport in httpapi.
package server

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tessera-id/tessera/internal/auth"
	"github.com/tessera-id/tessera/internal/compat/djrestauth"
	"github.com/tessera-id/tessera/internal/config"
	"github.com/tessera-id/tessera/internal/httpapi"
	"github.com/tessera-id/tessera/internal/keys"
	"github.com/tessera-id/tessera/internal/mail"
	"github.com/tessera-id/tessera/internal/metrics"
	"github.com/tessera-id/tessera/internal/mfa"
	"github.com/tessera-id/tessera/internal/password"
	"github.com/tessera-id/tessera/internal/store/sqlstore"
	"github.com/tessera-id/tessera/internal/token"
	"github.com/tessera-id/tessera/internal/web"
	"github.com/tessera-id/tessera/pkg/jwtverify"
)

// Server is an assembled Tessera.
type Server struct {
	Config config.Config
	DB     *sqlstore.DB
	Keys   *keys.Ring
	Auth   *auth.Service
	API    *httpapi.Server
	// Mail queues every e-mail in front of the configured backend.
	Mail *mail.Queue
	log  *slog.Logger
}

// Options tune what New builds; zero values are production defaults.
type Options struct {
	Logger *slog.Logger
	// Now replaces time.Now in the use cases and key ring, for tests.
	Now func() time.Time
	// HashParams replaces the argon2id parameters (tests use cheap ones).
	HashParams *password.Params
	// Mailer replaces the mail backend chosen by the configuration (tests
	// pass an in-memory outbox).
	Mailer mail.Sender
	// LoginSlowdown is the delay added per failed login past half the
	// allowance (default 250 ms; negative disables it).
	LoginSlowdown time.Duration
	// MustExist assembles over a database and keys that are already
	// there, creating and migrating nothing: a missing database, schema,
	// signing key or refresh secret is an error. Operator commands set it;
	// serve creates what a first start needs.
	MustExist bool
	// Version is the build's version, stamped into the browser client.
	Version string
}

// New assembles Tessera from cfg, which must have passed Validate.
func New(ctx context.Context, cfg config.Config, o Options) (*Server, error) {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	db, err := sqlstore.Open(ctx, cfg.DatabaseURL, sqlstore.Options{MaxOpenConns: cfg.DBMaxConns, MustExist: o.MustExist})
	if err != nil {
		return nil, err
	}
	if o.MustExist {
		err = db.CheckSchema(ctx)
	} else if err = db.Migrate(ctx); err != nil {
		err = fmt.Errorf("migrate: %w", err)
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	s, err := Assemble(cfg, db, o)
	if err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// Assemble builds Tessera over an open, migrated database.
func Assemble(cfg config.Config, db *sqlstore.DB, o Options) (*Server, error) {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.LoginSlowdown == 0 {
		o.LoginSlowdown = 250 * time.Millisecond
	}
	leeway := jwtverify.DefaultLeeway
	ko := KeyOptions(cfg, o.Now)
	ko.MustExist, ko.Logger = o.MustExist, o.Logger
	ring, err := keys.Open(cfg.KeysDir, ko)
	if err != nil {
		return nil, fmt.Errorf("load keys: %w", err)
	}
	verifier, err := jwtverify.NewVerifier(ring,
		jwtverify.WithIssuer(cfg.Issuer), jwtverify.WithAudience(cfg.Audiences()[0]),
		jwtverify.WithLeeway(leeway), jwtverify.WithClock(o.Now))
	if err != nil {
		return nil, fmt.Errorf("verifier: %w", err)
	}
	m := metrics.New(db, ring, o.Now)
	for name, p := range db.Pools() {
		m.WatchPool(name, p.DB, p.QueueWaits)
	}
	m.WatchRotations(db.RotationStats)
	params := password.DefaultParams
	if o.HashParams != nil {
		params = *o.HashParams
	}
	var mailFailed func(context.Context, mail.Message, error)
	queue, err := mailQueue(cfg, o, func(ctx context.Context, m mail.Message, err error) { mailFailed(ctx, m, err) })
	if err != nil {
		return nil, fmt.Errorf("mail: %w", err)
	}
	refresher := token.NewRefresher(ring.RefreshSecret())
	relyingParty, err := webAuthn(cfg)
	if err != nil {
		_ = queue.Close(context.Background()) // nothing was queued yet
		return nil, err
	}
	svc := auth.New(auth.Deps{
		Store:     db,
		Hasher:    password.NewHasher(params, cfg.HashConcurrency),
		Policy:    password.Policy{MinLength: cfg.PasswordMinLength},
		Minter:    token.NewMinter(ring, cfg.Issuer, o.Now),
		Refresher: refresher,
		Secret:    ring.RefreshSecret(),
		Verifier:  verifier,
		Keys:      ring,
		Settings: auth.Settings{
			AccessTTL: cfg.AccessTTL, SessionIdleTTL: cfg.SessionIdleTTL, SessionMaxTTL: cfg.SessionMaxTTL,
			RefreshGrace: cfg.RefreshGrace, Audiences: cfg.Audiences(),
			EmailVerification: cfg.EmailVerification, EmailVerifyTTL: cfg.EmailVerifyTTL,
			PasswordResetTTL: cfg.PasswordResetTTL, FrontendURL: cfg.FrontendURL,
			LoginMaxFailures: cfg.LoginMaxFailures, LoginFailureWindow: cfg.LoginFailureWindow,
			LoginSlowdown: o.LoginSlowdown,
			AdminMFA:      cfg.AdminMFA, MFAIssuer: cfg.BrandName,
		},
		Mailer:   queue,
		Observer: m,
		Logger:   o.Logger,
		WebAuthn: relyingParty,
		Now:      o.Now,
	})
	mailFailed = svc.MailFailed
	pages, err := web.New(web.Options{Auth: svc, Refresher: refresher, Config: cfg, Logger: o.Logger})
	if err != nil {
		_ = queue.Close(context.Background()) // nothing was queued yet
		return nil, fmt.Errorf("pages: %w", err)
	}
	limits := httpapi.NewAccountLimits()
	api, err := httpapi.New(httpapi.Options{Auth: svc, Keys: ring, Refresher: refresher, Store: db, Config: cfg,
		Logger: o.Logger, Metrics: m, Version: o.Version, Limits: limits, Mount: mounts(cfg, svc, limits, pages, o.Logger)})
	if err != nil {
		_ = queue.Close(context.Background()) // nothing was queued yet
		return nil, fmt.Errorf("http api: %w", err)
	}
	return &Server{Config: cfg, DB: db, Keys: ring, Auth: svc, API: api, Mail: queue, log: o.Logger}, nil
}

// mounts adds the hosted pages and, when configured, the compatible routes
// to the router, behind the API's middleware. The compatible routes spend
// from the API's own account-flow limits.
func mounts(cfg config.Config, svc *auth.Service, limits *httpapi.AccountLimits, pages *web.Pages, log *slog.Logger) func(gin.IRoutes) {
	var compat *djrestauth.Routes
	if cfg.Compat == "dj-rest-auth" {
		compat = djrestauth.New(djrestauth.Options{Auth: svc, Limits: limits, Path: cfg.CompatPath, Mode: cfg.CompatToken,
			Authentication: cfg.Authentication, Logger: log})
	}
	return func(r gin.IRoutes) {
		pages.Mount(r)
		if compat != nil {
			compat.Mount(r)
		}
	}
}

// webAuthn is the passkeys' relying party the configuration implies, or
// nil (passkeys off) when it names none: an issuer on an IP address and no
// TESSERA_WEBAUTHN_RP_ID.
func webAuthn(cfg config.Config) (*mfa.WebAuthn, error) {
	rpID, origins := cfg.WebAuthn()
	if rpID == "" {
		return nil, nil
	}
	w, err := mfa.NewWebAuthn(mfa.WebAuthnConfig{RPID: rpID, RPName: cfg.BrandName, Origins: origins})
	if err != nil {
		return nil, fmt.Errorf("passkeys: %w", err)
	}
	return w, nil
}

// mailQueue puts a Queue in front of o.Mailer or, when that is nil, the
// backend the configuration names. failed hears of every e-mail given up on.
func mailQueue(cfg config.Config, o Options, failed func(context.Context, mail.Message, error)) (*mail.Queue, error) {
	backend := o.Mailer
	if backend == nil {
		var err error
		backend, err = mail.Open(mail.Config{Backend: cfg.EmailBackend, SMTPURL: cfg.SMTPURL, From: cfg.MailFrom, Logger: o.Logger})
		if err != nil {
			return nil, err
		}
	}
	return mail.NewQueue(backend, mail.QueueOptions{Logger: o.Logger, OnFailure: failed}), nil
}

// KeyOptions is the rotation schedule the configuration implies: a new key
// is published one JWKS cache lifetime before it signs, and an old one stays
// published until every token it signed (at the longest access TTL any
// client may have) has expired and every cached JWKS has been refetched.
// Both also wait one keyReloadEvery: a replica sees a key made elsewhere
// (the CLI, the console on another replica) only at its next reload, so
// it may publish the key that much later, and sign with the old one that
// much longer, than the schedule says.
func KeyOptions(cfg config.Config, now func() time.Time) keys.Options {
	return keys.Options{
		Algorithm:    cfg.SigningAlg,
		PublishDelay: cfg.JWKSMaxAge + keyReloadEvery,
		RetireAfter:  auth.MaxAccessTTL + jwtverify.MaxLeeway + cfg.JWKSMaxAge + keyReloadEvery,
		CacheMaxAge:  cfg.JWKSMaxAge,
		Now:          now,
	}
}

// keyReloadEvery is how often a serving process re-reads the keys dir, so a
// `tessera keys rotate` on the shared dir needs no restart; KeyOptions
// adds it to the schedule's delays.
const keyReloadEvery = 30 * time.Second

// reloadKeys re-reads the keys dir until ctx ends.
func (s *Server) reloadKeys(ctx context.Context) {
	t := time.NewTicker(keyReloadEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := s.Keys.Reload(); err != nil {
				s.log.Error("reload keys: keeping the keys loaded before", "err", err)
			}
		}
	}
}

// Close lets queued e-mails go out (for at most the shutdown timeout), then
// releases the database.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), s.Config.ShutdownTimeout)
	defer cancel()
	if err := s.Mail.Close(ctx); err != nil {
		s.log.Warn("mail queue stopped with e-mails unsent", "err", err)
	}
	return s.DB.Close()
}

// Serve answers on ln until ctx ends, then stops accepting, lets in-flight
// requests finish within the shutdown timeout, and returns nil.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	go s.reloadKeys(ctx)
	return ServeAndDrain(ctx, ln, s.API, s.Config.ShutdownTimeout, s.log)
}
