package sqlstore

import (
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// TestPreparedStatements checks the statement cache: one statement per
// pool and query, shared by concurrent callers; a failed prepare is not
// remembered; Close closes them all.
func TestPreparedStatements(t *testing.T) {
	db, err := Open(t.Context(), "sqlite://"+filepath.Join(t.TempDir(), "t.db"), Options{MaxOpenConns: 3})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	const q = `SELECT x FROM probe WHERE x = ?`
	if _, err := db.prepared(t.Context(), db.r, q); err == nil {
		t.Fatal("prepared a statement on a missing table")
	}
	if err := db.preparedRow(t.Context(), db.r, q, 7).Scan(new(int)); err == nil || !strings.Contains(err.Error(), "probe") {
		t.Fatalf("row of a statement that cannot be prepared: %v, want the database's error", err)
	}
	if _, err := db.w.ExecContext(t.Context(), "CREATE TABLE probe (x INTEGER); INSERT INTO probe VALUES (7)"); err != nil {
		t.Fatalf("create probe table: %v", err)
	}
	const callers = 8
	got := make([]any, callers)
	var wg sync.WaitGroup
	for i := range callers {
		wg.Go(func() {
			s, err := db.prepared(t.Context(), db.r, q)
			if err != nil {
				t.Errorf("prepared: %v", err)
				return
			}
			var x int
			if err := s.QueryRowContext(t.Context(), 7).Scan(&x); err != nil || x != 7 {
				t.Errorf("query: %d, %v", x, err)
			}
			got[i] = s
		})
	}
	wg.Wait()
	for i := range got {
		if got[i] != got[0] {
			t.Fatalf("caller %d got another statement", i)
		}
	}
	var x int
	if err := db.preparedRow(t.Context(), db.r, q, 7).Scan(&x); err != nil || x != 7 {
		t.Errorf("preparedRow: %d, %v", x, err)
	}
	if err := db.preparedRow(t.Context(), db.r, q, 8).Scan(&x); !errors.Is(err, sql.ErrNoRows) {
		t.Errorf("preparedRow of no row: %v, want sql.ErrNoRows", err)
	}
	if n := len(db.stmts.m); n != 1 {
		t.Errorf("%d statements cached after preparedRow, want the one", n)
	}
	w, err := db.prepared(t.Context(), db.w, q)
	if err != nil {
		t.Fatalf("prepared on the writer: %v", err)
	}
	if any(w) == got[0] {
		t.Error("the writer pool shares the reader's statement")
	}
	if err := db.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if len(db.stmts.m) != 0 {
		t.Errorf("%d statements left after Close", len(db.stmts.m))
	}
	if err := w.QueryRowContext(t.Context(), 7).Scan(new(int)); err == nil {
		t.Error("a statement still answers after Close")
	}
}
