package sqlstore

import (
	"database/sql"
	"path/filepath"
	"testing"
)

// TestSQLiteEveryConnection checks the pragmas on every connection of both
// SQLite pools, and that connections stay open once used (a warm pool).
func TestSQLiteEveryConnection(t *testing.T) {
	db, err := Open(t.Context(), "sqlite://"+filepath.Join(t.TempDir(), "t.db"), Options{MaxOpenConns: 3})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer db.Close()
	if _, err := db.w.ExecContext(t.Context(), "CREATE TABLE probe (x INTEGER)"); err != nil {
		t.Fatalf("create probe table: %v", err)
	}
	if got := db.w.Stats().MaxOpenConnections; got != 1 {
		t.Errorf("writer pool: %d connections, want 1", got)
	}
	tests := []struct {
		name     string
		pool     *sql.DB
		n        int
		readOnly bool
	}{
		{"writer", db.w.DB, 1, false},
		{"reader", db.r.DB, 3, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			conns := make([]*sql.Conn, tc.n) // held together: n distinct connections
			for i := range conns {
				if conns[i], err = tc.pool.Conn(t.Context()); err != nil {
					t.Fatalf("Conn: %v", err)
				}
			}
			for i, c := range conns {
				checkConn(t, i, c, tc.readOnly)
				c.Close()
			}
			if idle := tc.pool.Stats().Idle; idle != tc.n {
				t.Errorf("idle connections after use: %d, want %d (warm pool)", idle, tc.n)
			}
		})
	}
}

func checkConn(t *testing.T, i int, c *sql.Conn, readOnly bool) {
	t.Helper()
	want := map[string]string{
		"journal_mode": "wal", "foreign_keys": "1", "busy_timeout": "5000",
		"synchronous": "1", "query_only": "0",
	}
	if readOnly {
		want["query_only"] = "1"
	}
	for pragma, w := range want {
		var got string
		if err := c.QueryRowContext(t.Context(), "PRAGMA "+pragma).Scan(&got); err != nil || got != w {
			t.Errorf("connection %d: PRAGMA %s = %q, %v; want %q", i, pragma, got, err, w)
		}
	}
	_, err := c.ExecContext(t.Context(), "INSERT INTO probe (x) VALUES (1)")
	if (err != nil) != readOnly {
		t.Errorf("connection %d: write error %v; want a failure: %v", i, err, readOnly)
	}
}

func TestUniqueKeyIgnoresOtherErrors(t *testing.T) {
	for _, f := range []*flavor{sqliteFlavor, postgresFlavor} {
		if _, ok := f.uniqueKey(sql.ErrNoRows); ok {
			t.Errorf("%s: sql.ErrNoRows taken for a unique violation", f.name)
		}
	}
}

func TestWithBinaryParameters(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"added", "postgres://u@h:5432/db?sslmode=disable", "postgres://u@h:5432/db?binary_parameters=yes&sslmode=disable"},
		{"kept when set", "postgres://u@h/db?binary_parameters=no", "postgres://u@h/db?binary_parameters=no"},
		{"no query", "postgresql://h/db", "postgresql://h/db?binary_parameters=yes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := withBinaryParameters(tt.in); got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}
