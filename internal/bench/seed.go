package bench

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"os"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/store"
	"github.com/tessera-id/tessera/internal/store/sqlstore"
)

// timeLayout is how sqlstore stores every timestamp (UTC, microseconds,
// fixed width); rows the bench writes with raw SQL must use it too, or
// SQLite's text comparisons would disagree with time order.
const timeLayout = "2006-01-02T15:04:05.000000Z07:00"

const (
	// seedRowsPerInsert rows go into one multi-row INSERT: 12 parameters
	// each, well under SQLite's 32766 and Postgres' 65535.
	seedRowsPerInsert = 1000
	// seedRowsPerTx rows are committed at once.
	seedRowsPerTx = 10_000
)

// seedUsers inserts one active user per e-mail, all with the password hash
// phc (computed once: seeding must not spend minutes hashing), and returns
// their ids in order.
func seedUsers(ctx context.Context, db *sqlstore.DB, emails []string, phc string) ([]uuid.UUID, error) {
	ids := make([]uuid.UUID, len(emails))
	now := time.Now().UTC()
	for i, e := range emails {
		id, err := uuid.NewV7()
		if err != nil {
			return nil, err
		}
		u := &store.User{
			ID: id, Email: e, EmailNormalized: strings.ToLower(e), PasswordHash: phc, IsActive: true,
			CreatedAt: now, UpdatedAt: now, PasswordChangedAt: now,
		}
		if err := db.CreateUser(ctx, u); err != nil {
			return nil, fmt.Errorf("seed user %s: %w", e, err)
		}
		ids[i] = id
	}
	return ids, nil
}

// userIDs looks the users up by e-mail (after they registered over HTTP).
func userIDs(ctx context.Context, db *sqlstore.DB, emails []string) ([]uuid.UUID, error) {
	ids := make([]uuid.UUID, len(emails))
	for i, e := range emails {
		u, err := db.GetUserByEmail(ctx, strings.ToLower(e))
		if err != nil {
			return nil, fmt.Errorf("find user %s: %w", e, err)
		}
		ids[i] = u.ID
	}
	return ids, nil
}

// countSessions returns the number of rows in sessions.
func countSessions(ctx context.Context, db *sqlstore.DB) (int64, error) {
	var n int64
	err := db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM sessions`).Scan(&n)
	return n, err
}

// fillSessions inserts active JWT sessions, spread over users, until the
// table holds target rows, in transactions of seedRowsPerTx rows of
// multi-row INSERTs straight through SQL. It returns how many it added.
func fillSessions(ctx context.Context, db *sqlstore.DB, target int64, users []uuid.UUID, progress func(done, total int64)) (int64, error) {
	have, err := countSessions(ctx, db)
	if err != nil {
		return 0, fmt.Errorf("count sessions: %w", err)
	}
	need := target - have
	if need <= 0 {
		return 0, nil
	}
	if len(users) == 0 {
		return 0, errors.New("fill sessions: no users to own them")
	}
	var done int64
	for done < need {
		n := min(need-done, seedRowsPerTx)
		if err := insertSessionsTx(ctx, db, int(n), users, done, seedActive); err != nil {
			return done, err
		}
		done += n
		if progress != nil {
			progress(done, need)
		}
	}
	return done, nil
}

// seedKind says which sessions a seed inserts: active ones of the default
// client, or ones of Client revoked at random times in the last
// RevokedWithin.
type seedKind struct {
	Client        string
	RevokedWithin time.Duration
}

var seedActive = seedKind{Client: "default"}

// insertSessionsTx inserts n sessions of kind in one transaction.
func insertSessionsTx(ctx context.Context, db *sqlstore.DB, n int, users []uuid.UUID, offset int64, kind seedKind) (err error) {
	x := db.SQL()
	tx, err := x.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("fill sessions: %w", err)
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, tx.Rollback())
		}
	}()
	full, err := tx.PreparexContext(ctx, x.Rebind(sessionInsert(seedRowsPerInsert, kind)))
	if err != nil {
		return fmt.Errorf("fill sessions: prepare: %w", err)
	}
	defer full.Close()
	now := time.Now().UTC()
	for left := n; left > 0; {
		k := min(left, seedRowsPerInsert)
		args, err := sessionRows(k, users, offset+int64(n-left), now, kind)
		if err != nil {
			return err
		}
		if k == seedRowsPerInsert {
			_, err = full.ExecContext(ctx, args...)
		} else {
			_, err = tx.ExecContext(ctx, x.Rebind(sessionInsert(k, kind)), args...)
		}
		if err != nil {
			return fmt.Errorf("fill sessions: insert: %w", err)
		}
		left -= k
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("fill sessions: commit: %w", err)
	}
	return nil
}

// sessionInsert is an INSERT of rows sessions of kind, '?' placeholders
// (the client id is one of the bench's own constants, never input).
func sessionInsert(rows int, kind seedKind) string {
	row := `(?, ?, '` + kind.Client + `', 'jwt', ?, ?, ?, ?, ?, ?, ?, NULL, '', ?, ?, ?, NULL)`
	if kind.RevokedWithin > 0 {
		row = `(?, ?, '` + kind.Client + `', 'jwt', ?, ?, ?, ?, ?, ?, ?, ?, 'bench', ?, ?, ?, NULL)`
	}
	var b strings.Builder
	b.WriteString(`INSERT INTO sessions (id, user_id, client_id, kind, device_name, user_agent, ip,
		created_at, last_used_at, idle_expires_at, expires_at, revoked_at, revoked_reason,
		generation, nonce, rotated_at, secret_hash) VALUES `)
	for i := range rows {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(row)
	}
	return b.String()
}

// seedUserAgents are realistic User-Agent values, so the rows are as wide
// as real ones.
var seedUserAgents = []string{
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
	"Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
	"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
	"okhttp/4.12.0",
}

var seedDevices = []string{"laptop", "phone", "tablet", "work desktop", ""}

// sessionRows returns the arguments of k rows of kind: created in the last
// 30 days, used since, with the default lifetimes ahead of them.
func sessionRows(k int, users []uuid.UUID, offset int64, now time.Time, kind seedKind) ([]any, error) {
	args := make([]any, 0, k*13)
	for i := range k {
		id, err := uuid.NewV7()
		if err != nil {
			return nil, err
		}
		nonce := make([]byte, 32)
		_, _ = rand.Read(nonce)
		created := now.Add(-time.Duration(mrand.Int64N(int64(30 * 24 * time.Hour))))
		used := created.Add(time.Duration(mrand.Int64N(int64(now.Sub(created)) + 1)))
		n := mrand.Uint32N(1 << 24)
		args = append(args,
			id, users[(offset+int64(i))%int64(len(users))],
			seedDevices[i%len(seedDevices)], seedUserAgents[i%len(seedUserAgents)],
			fmt.Sprintf("10.%d.%d.%d", n>>16&255, n>>8&255, n&255),
			created.Format(timeLayout), used.Format(timeLayout),
			used.Add(720*time.Hour).Format(timeLayout), created.Add(2160*time.Hour).Format(timeLayout))
		if kind.RevokedWithin > 0 {
			args = append(args, now.Add(-time.Duration(mrand.Int64N(int64(kind.RevokedWithin)))).Format(timeLayout))
		}
		args = append(args, 1+mrand.Int64N(500), nonce, used.Format(timeLayout))
	}
	return args, nil
}

// SizeInfo is the database's size per session at one fill level.
type SizeInfo struct {
	Sessions        int64   `json:"sessions"`
	SeedSeconds     float64 `json:"seed_seconds"`
	Bytes           int64   `json:"bytes"`
	BytesPerSession float64 `json:"bytes_per_session"`
	// Method says what Bytes measures.
	Method string `json:"method"`
}

// measureSize returns the size per session: on SQLite the file (after a
// WAL checkpoint) divided by the rows of sessions; on Postgres
// pg_total_relation_size('sessions') (heap, indexes, TOAST) divided by them.
func measureSize(ctx context.Context, d *database) (SizeInfo, error) {
	var si SizeInfo
	rows, err := countSessions(ctx, d.DB)
	if err != nil {
		return si, fmt.Errorf("count sessions: %w", err)
	}
	si.Sessions = rows
	x := d.DB.SQL()
	switch {
	case d.Dialect() == "postgres":
		err = x.QueryRowContext(ctx, `SELECT pg_total_relation_size('sessions')`).Scan(&si.Bytes)
		si.Method = "pg_total_relation_size('sessions') / rows"
	case d.sqlitePath != "":
		if _, err = x.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
			break
		}
		for _, p := range []string{d.sqlitePath, d.sqlitePath + "-wal"} {
			if st, serr := os.Stat(p); serr == nil {
				si.Bytes += st.Size()
			}
		}
		si.Method = "SQLite file size after checkpoint / rows (whole database)"
	}
	if err != nil {
		return si, fmt.Errorf("database size: %w", err)
	}
	if rows > 0 {
		si.BytesPerSession = float64(si.Bytes*10/rows) / 10
	}
	return si, nil
}
