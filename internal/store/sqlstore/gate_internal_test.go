package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"testing/synctest"
)

// TestGateOrder: statements that find the gate full pass it in the order
// they came, which database/sql's own queue of waiters does not promise.
func TestGateOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := &gate{places: make(chan struct{}, 1)}
		if err := g.enter(t.Context()); err != nil {
			t.Fatal(err)
		}
		const waiters = 8
		var (
			order []int
			wg    sync.WaitGroup
		)
		for i := range waiters {
			wg.Go(func() {
				if err := g.enter(context.Background()); err != nil {
					t.Error(err)
					return
				}
				order = append(order, i) // the gate serializes the writers
				g.leave()
			})
			synctest.Wait() // waiter i is queued before i+1 starts
		}
		if len(order) != 0 {
			t.Fatalf("%d waiters passed a full gate", len(order))
		}
		g.leave()
		wg.Wait()
		for i, w := range order {
			if w != i {
				t.Fatalf("waiters passed in order %v, want 0..%d", order, waiters-1)
			}
		}
		if len(order) != waiters || g.held() != 0 {
			t.Errorf("%d of %d waiters passed, %d places held after all left", len(order), waiters, g.held())
		}
		if n, d := (Pool{gate: g}).QueueWaits(); n != waiters || d != 0 {
			// synctest's clock stands still while every goroutine waits.
			t.Errorf("queue waits %d (%v), want %d (0s)", n, d, waiters)
		}
	})
}

// TestGateContext: a statement whose context ends while it waits gives up
// without taking a place; the nil gate of a pool without a limit admits
// everything.
func TestGateContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := &gate{places: make(chan struct{}, 1)}
		if err := g.enter(t.Context()); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(t.Context())
		errc := make(chan error, 1)
		go func() { errc <- g.enter(ctx) }()
		synctest.Wait()
		cancel()
		if err := <-errc; !errors.Is(err, context.Canceled) {
			t.Errorf("enter with its context cancelled while waiting: %v, want context.Canceled", err)
		}
		if g.held() != 1 {
			t.Errorf("%d places held, want the first caller's only", g.held())
		}
		if n, _ := (Pool{gate: g}).QueueWaits(); n != 1 {
			t.Errorf("queue waits %d, want the one that gave up", n)
		}
		g.leave()
	})
	var none *gate
	if err := none.enter(t.Context()); err != nil {
		t.Errorf("nil gate: %v", err)
	}
	none.leave()
	if n, d := (Pool{}).QueueWaits(); n != 0 || d != 0 {
		t.Errorf("a pool without a gate reports %d waits (%v)", n, d)
	}
}

// TestGatedRows: every way out of preparedRow and preparedList gives its
// place back (a row scanned, a row not found, a list read, a statement
// that cannot be prepared, a context that ended while waiting), a second
// Scan gives back nothing more, and each pool's gate has one place per
// connection.
func TestGatedRows(t *testing.T) {
	db, err := Open(t.Context(), "sqlite://"+filepath.Join(t.TempDir(), "t.db"), Options{MaxOpenConns: 3})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if cap(db.wGate.places) != 1 || cap(db.rGate.places) != 3 {
		t.Errorf("SQLite gates of %d and %d places, want 1 (the writer) and 3 (the readers)", cap(db.wGate.places), cap(db.rGate.places))
	}
	if _, err := db.w.ExecContext(t.Context(), "CREATE TABLE probe (x INTEGER); INSERT INTO probe VALUES (7)"); err != nil {
		t.Fatalf("create probe table: %v", err)
	}
	const q = `SELECT x FROM probe WHERE x = ?`
	var x int
	row := db.preparedRow(t.Context(), db.r, q, 7)
	if db.rGate.held() != 1 {
		t.Errorf("%d places held by a row not yet scanned, want 1", db.rGate.held())
	}
	if err := row.Scan(&x); err != nil || x != 7 {
		t.Fatalf("scan: %d, %v", x, err)
	}
	if err := row.Scan(&x); err == nil {
		t.Error("a second Scan of one row succeeded")
	}
	if err := db.preparedRow(t.Context(), db.r, q, 8).Scan(&x); !errors.Is(err, sql.ErrNoRows) {
		t.Errorf("no row: %v, want sql.ErrNoRows", err)
	}
	if err := db.preparedRow(t.Context(), db.r, `SELECT x FROM missing`).Scan(&x); err == nil {
		t.Error("a statement on a missing table was answered")
	}
	scanX := func(sc rowScanner, x *int) error { return sc.Scan(x) }
	if list, err := preparedList(t.Context(), db, db.r, "probe", `SELECT x FROM probe`, nil, scanX); err != nil || len(list) != 1 || list[0] != 7 {
		t.Errorf("preparedList: %v, %v", list, err)
	}
	if _, err := preparedList(t.Context(), db, db.r, "probe", `SELECT x FROM missing`, nil, scanX); err == nil {
		t.Error("a list on a missing table was answered")
	}
	if db.rGate.held() != 0 {
		t.Errorf("%d places still held after every row was scanned", db.rGate.held())
	}

	// The writer's gate full, a statement whose context ends is refused
	// without reaching the database.
	if err := db.wGate.enter(t.Context()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := db.preparedRow(ctx, db.w, q, 7).Scan(&x); !errors.Is(err, context.Canceled) {
		t.Errorf("waiting with a cancelled context: %v, want context.Canceled", err)
	}
	db.wGate.leave()
	if err := db.preparedRow(t.Context(), db.w, q, 7).Scan(&x); err != nil || db.wGate.held() != 0 {
		t.Errorf("writer after the gate emptied: %v, %d places held", err, db.wGate.held())
	}
}

// TestGatePostgres: on Postgres reads and writes share one pool, so they
// share one gate, of the pool's size.
func TestGatePostgres(t *testing.T) {
	// sqltest imports this package, so the URL is read here: the test
	// needs no schema, only a connection.
	url := os.Getenv("TESSERA_TEST_POSTGRES_URL")
	if url == "" {
		if os.Getenv("TESSERA_TEST_REQUIRE_POSTGRES") == "1" {
			t.Fatal("TESSERA_TEST_POSTGRES_URL is not set and TESSERA_TEST_REQUIRE_POSTGRES=1")
		}
		t.Skip("TESSERA_TEST_POSTGRES_URL is not set: skipping Postgres")
	}
	db, err := Open(t.Context(), url, Options{MaxOpenConns: 5})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if cap(db.wGate.places) != 5 || db.gateOf(db.r) != db.gateOf(db.w) {
		t.Errorf("Postgres gate of %d places (want 5), shared by reads and writes: %v",
			cap(db.wGate.places), db.gateOf(db.r) == db.gateOf(db.w))
	}
	var one int
	if err := db.preparedRow(t.Context(), db.r, `SELECT 1`).Scan(&one); err != nil || one != 1 || db.rGate.held() != 0 {
		t.Errorf("SELECT 1: %d, %v, %d places held", one, err, db.rGate.held())
	}
}

// held is how many places of g are taken.
func (g *gate) held() int {
	if g == nil {
		return 0
	}
	return len(g.places)
}
