package auth_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"

	"github.com/tessera-id/tessera/internal/auth"
	"github.com/tessera-id/tessera/internal/config"
	"github.com/tessera-id/tessera/internal/password"
	"github.com/tessera-id/tessera/internal/server"
	"github.com/tessera-id/tessera/internal/store/sqlstore"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
)

const benchPassword = "correct horse battery staple"

// benchHash keeps hashing out of these benchmarks: they measure what a
// refresh or an authenticated read costs around the database.
var benchHash = password.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// benchService assembles the use cases exactly as `tessera serve` does,
// over db, and registers one user.
func benchService(b *testing.B, db *sqlstore.DB) (*auth.Service, *auth.Login) {
	b.Helper()
	cfg := config.Default()
	cfg.KeysDir = b.TempDir()
	if err := cfg.Validate(); err != nil {
		b.Fatal(err)
	}
	hp := benchHash
	srv, err := server.Assemble(cfg, db, server.Options{
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), HashParams: &hp,
	})
	if err != nil {
		b.Fatal(err)
	}
	reg, err := srv.Auth.Register(context.Background(), auth.RegisterInput{
		Email: "bench@example.com", Password: benchPassword, Delivery: auth.DeliveryBody,
	})
	if err != nil {
		b.Fatal(err)
	}
	return srv.Auth, reg
}

// eachDB runs fn on SQLite and, when TESSERA_TEST_POSTGRES_URL is set,
// Postgres.
func eachDB(b *testing.B, fn func(b *testing.B, db *sqlstore.DB)) {
	b.Run("sqlite", func(b *testing.B) { fn(b, sqltest.NewSQLite(b)) })
	b.Run("postgres", func(b *testing.B) { fn(b, sqltest.NewPostgres(b)) })
}

// BenchmarkRefresh is one device refreshing in a loop through
// auth.Service.Refresh over a real database: each new refresh token is
// the next call's input.
func BenchmarkRefresh(b *testing.B) {
	eachDB(b, func(b *testing.B, db *sqlstore.DB) {
		svc, reg := benchService(b, db)
		ctx, rt := context.Background(), reg.RefreshToken
		b.ReportAllocs()
		for b.Loop() {
			l, err := svc.Refresh(ctx, rt, auth.Device{})
			if err != nil {
				b.Fatal(err)
			}
			rt = l.RefreshToken
		}
	})
}

// BenchmarkRefreshParallel is many devices of one user refreshing at once,
// each its own session.
func BenchmarkRefreshParallel(b *testing.B) {
	eachDB(b, func(b *testing.B, db *sqlstore.DB) {
		svc, _ := benchService(b, db)
		ctx := context.Background()
		var n atomic.Int64
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			l, err := svc.Login(ctx, auth.LoginInput{
				Email: "bench@example.com", Password: benchPassword, Delivery: auth.DeliveryBody,
				Device: auth.Device{Name: fmt.Sprint("device ", n.Add(1))},
			})
			if err != nil {
				b.Error(err)
				return
			}
			rt := l.RefreshToken
			for pb.Next() {
				if l, err = svc.Refresh(ctx, rt, auth.Device{}); err != nil {
					b.Error(err)
					return
				}
				rt = l.RefreshToken
			}
		})
	})
}

// BenchmarkAuthenticateAccess is the work behind GET /v1/auth/me with a
// Bearer token: one signature check, one session and one user read.
func BenchmarkAuthenticateAccess(b *testing.B) {
	eachDB(b, func(b *testing.B, db *sqlstore.DB) {
		svc, reg := benchService(b, db)
		ctx := context.Background()
		b.ReportAllocs()
		for b.Loop() {
			if _, err := svc.AuthenticateAccess(ctx, reg.AccessToken, "bearer"); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkLogin is a password sign-in through auth.Service.Login over a
// real database, with a hash too cheap to matter: what a sign-in costs
// around argon2id (its statements, the new session and its tokens).
func BenchmarkLogin(b *testing.B) {
	eachDB(b, func(b *testing.B, db *sqlstore.DB) {
		svc, _ := benchService(b, db)
		ctx := context.Background()
		in := auth.LoginInput{Email: "bench@example.com", Password: benchPassword, Delivery: auth.DeliveryBody}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := svc.Login(ctx, in); err != nil {
				b.Fatal(err)
			}
		}
	})
}
