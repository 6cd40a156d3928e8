package bench

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/server"
	"github.com/tessera-id/tessera/internal/store/sqlstore"
)

// ceilingTable is the one table the refresh ceiling writes; it lives in
// the benchmark's database, beside Tessera's tables.
const ceilingTable = "bench_ceiling"

// ceilingNamespace derives the ids of the ceiling rows, so the parent and
// the baseline child agree on them without talking.
var ceilingNamespace = uuid.MustParse("6f1d4c1e-7f0e-4a53-9d56-2b8f3c1e0a77")

// ceilingID is the id of the row client i updates.
func ceilingID(i int) uuid.UUID { return uuid.NewSHA1(ceilingNamespace, []byte(strconv.Itoa(i))) }

// serveBaseline runs the baselines' bare Gin engine: GET /const answers a
// constant (the JWKS ceiling: what Gin and the HTTP stack cost with no
// middleware and no work), POST /ceiling runs one single-row
// UPDATE ... RETURNING and GET /pk/:id one primary-key SELECT (the
// baseline of authenticated reads) on the same database as Tessera through a pool
// opened the way Tessera opens it (same pragmas on SQLite, same pool size),
// served and stopped by server.ServeAndDrain like Tessera itself. Both
// statements are prepared, as Tessera prepares those of its request path,
// so neither side pays for parsing and planning per request.
func serveBaseline(ctx context.Context, spec childSpec, ln net.Listener, ready func()) error {
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	body := []byte(spec.ConstBody)
	e.GET("/const", func(c *gin.Context) { c.Data(http.StatusOK, "application/json", body) })
	if spec.DatabaseURL != "" {
		db, err := sqlstore.Open(ctx, spec.DatabaseURL, sqlstore.Options{MaxOpenConns: spec.DBMaxConns})
		if err != nil {
			return err
		}
		defer db.Close()
		if err := createCeiling(ctx, db, spec.CeilingRows); err != nil {
			return err
		}
		ceiling, err := ceilingHandler(db)
		if err != nil {
			return err
		}
		pk, err := pkHandler(db)
		if err != nil {
			return err
		}
		e.POST("/ceiling", ceiling)
		e.GET("/pk/:id", pk)
	}
	ready()
	if err := server.ServeAndDrain(ctx, ln, e, stopTimeout, slog.Default()); err != nil {
		return fmt.Errorf("baseline: %w", err)
	}
	return nil
}

type ceilingRequest struct {
	ID string `json:"id"`
}

// ceilingHandler binds a JSON body, runs the write, answers JSON: the
// shape of a refresh without any of its logic.
func ceilingHandler(db *sqlstore.DB) (gin.HandlerFunc, error) {
	x := db.SQL()
	q := x.Rebind(`UPDATE ` + ceilingTable + ` SET n = n + 1, updated_at = ? WHERE id = ? RETURNING n`)
	stmt, err := x.Preparex(q)
	if err != nil {
		return nil, fmt.Errorf("prepare the ceiling's update: %w", err)
	}
	return func(c *gin.Context) {
		var req ceilingRequest
		if err := c.ShouldBindJSON(&req); err != nil {
			c.JSON(http.StatusBadRequest, gin.H{"error": err.Error()})
			return
		}
		var n int64
		now := time.Now().UTC().Format(timeLayout)
		if err := stmt.QueryRowContext(c.Request.Context(), now, req.ID).Scan(&n); err != nil {
			c.JSON(http.StatusInternalServerError, gin.H{"error": err.Error()})
			return
		}
		c.JSON(http.StatusOK, gin.H{"n": n})
	}, nil
}

// pkHandler reads one row by primary key and answers it as JSON: the
// shape of an authenticated read (GET /v1/auth/me) without any of its
// logic, the fair baseline of me and classic-token.
func pkHandler(db *sqlstore.DB) (gin.HandlerFunc, error) {
	x := db.SQL()
	q := x.Rebind(`SELECT n, updated_at FROM ` + ceilingTable + ` WHERE id = ?`)
	stmt, err := x.Preparex(q)
	if err != nil {
		return nil, fmt.Errorf("prepare the primary-key select: %w", err)
	}
	return func(c *gin.Context) {
		var (
			n       int64
			updated any
		)
		if err := stmt.QueryRowContext(c.Request.Context(), c.Param("id")).Scan(&n, &updated); err != nil {
			c.JSON(http.StatusInternalServerError, gin.H{"error": err.Error()})
			return
		}
		c.JSON(http.StatusOK, gin.H{"id": c.Param("id"), "n": n, "updated_at": updated})
	}, nil
}

// createCeiling creates the ceiling table with rows for ids 0..rows-1.
func createCeiling(ctx context.Context, db *sqlstore.DB, rows int) error {
	ddl := `CREATE TABLE IF NOT EXISTS ` + ceilingTable + ` (id uuid PRIMARY KEY, n bigint NOT NULL, updated_at timestamptz NOT NULL)`
	if db.Dialect() == "sqlite" {
		ddl = `CREATE TABLE IF NOT EXISTS ` + ceilingTable + ` (id TEXT PRIMARY KEY, n INTEGER NOT NULL, updated_at TEXT NOT NULL) STRICT`
	}
	x := db.SQL()
	if _, err := x.ExecContext(ctx, ddl); err != nil {
		return fmt.Errorf("create %s: %w", ceilingTable, err)
	}
	ins := x.Rebind(`INSERT INTO ` + ceilingTable + ` (id, n, updated_at) VALUES (?, 0, ?) ON CONFLICT (id) DO NOTHING`)
	now := time.Now().UTC().Format(timeLayout)
	for i := range rows {
		if _, err := x.ExecContext(ctx, ins, ceilingID(i), now); err != nil {
			return fmt.Errorf("fill %s: %w", ceilingTable, err)
		}
	}
	return nil
}

// dropCeiling removes the ceiling table; used when the database is not
// one the bench created.
func dropCeiling(ctx context.Context, db *sqlstore.DB) error {
	_, err := db.SQL().ExecContext(ctx, `DROP TABLE IF EXISTS `+ceilingTable)
	return err
}
