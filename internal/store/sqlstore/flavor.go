package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/lib/pq/pqerror"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/tessera-id/tessera/internal/store"
)

// flavor is everything that differs between the two databases. Queries are
// written once, with '?' placeholders, in SQL both understand; anything a
// query cannot say the same way on both lives here.
type flavor struct {
	name     string        // Dialect(), and the migrations folder
	driver   string        // database/sql driver name
	goose    goose.Dialect // migration dialect
	bindType int           // sqlx placeholder style
	// now is an SQL expression for the database clock, in the stored form.
	now string
	// forUpdate ends a SELECT that must lock its rows until the
	// transaction ends, so that no concurrent insert can reference them;
	// empty on SQLite, whose one writer already excludes every other.
	forUpdate string
	// uniqueKey reports whether err is a unique violation and names the index
	// it hit: "table.column" on SQLite, the index name on Postgres.
	uniqueKey func(err error) (key string, ok bool)
	// newLocker serialises concurrent migrations; nil when none is needed.
	newLocker func() (lock.Locker, error)
	// plusSeconds is an SQL expression, in the stored form, for the time
	// t (an expression in the stored form, such as a parameter, which it
	// may use more than once) plus the integer expression secs (whole
	// seconds).
	plusSeconds func(t, secs string) string
	// joinedReturning says whether RETURNING may name the columns of a
	// table joined by UPDATE ... FROM (Postgres); SQLite's may not, and
	// reads them through subqueries instead.
	joinedReturning bool
	// writableCTE says whether WITH may hold INSERTs whose rows the
	// statement returns (Postgres), so that two inserts are one statement.
	writableCTE bool
}

var sqliteFlavor = &flavor{
	name:     "sqlite",
	driver:   "sqlite",
	goose:    goose.DialectSQLite3,
	bindType: sqlx.QUESTION,
	// strftime's %f is SS.SSS: three zeros more give timeLayout.
	now:       `strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')`,
	uniqueKey: sqliteUniqueKey,
	// Whole seconds leave the fraction and the zone (from character 20 of
	// timeLayout on) as they were; strftime adds to the seconds part only.
	plusSeconds: func(t, secs string) string {
		return `(strftime('%Y-%m-%dT%H:%M:%S', substr(` + t + `, 1, 19), '+' || (` + secs + `) || ' seconds') || substr(` + t + `, 20))`
	},
}

var postgresFlavor = &flavor{
	name:      "postgres",
	driver:    "postgres",
	goose:     goose.DialectPostgres,
	bindType:  sqlx.DOLLAR,
	now:       `now()`,
	forUpdate: ` FOR UPDATE`,
	uniqueKey: postgresUniqueKey,
	newLocker: postgresLocker,
	plusSeconds: func(t, secs string) string {
		return `(CAST(` + t + ` AS timestamptz) + (` + secs + `) * interval '1 second')`
	},
	joinedReturning: true,
	writableCTE:     true,
}

// rebind turns '?' placeholders into the flavor's own.
func (f *flavor) rebind(query string) string {
	return sqlx.Rebind(f.bindType, query)
}

// postgresLocker uses goose's table-based lock rather than an advisory lock,
// so migrations stay serialised on Postgres-compatible engines that have no
// advisory locks. A waiting replica retries every half second for up to
// five minutes; a crashed holder's lease expires after 30 seconds.
func postgresLocker() (lock.Locker, error) {
	return lock.NewPostgresTableLocker(
		lock.WithTableLockTimeout(500*time.Millisecond, 600),
	)
}

func sqliteUniqueKey(err error) (string, bool) {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return "", false
	}
	if c := se.Code(); c != sqlite3.SQLITE_CONSTRAINT_UNIQUE && c != sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY {
		return "", false
	}
	// "... UNIQUE constraint failed: users.email_normalized (2067)"; a
	// multi-column index lists "t.a, t.b": the first column names it.
	const marker = "constraint failed: "
	msg := se.Error()
	i := strings.LastIndex(msg, marker)
	if i < 0 {
		return "", true
	}
	key := msg[i+len(marker):]
	if end := strings.IndexAny(key, " ,"); end >= 0 {
		key = key[:end]
	}
	return key, true
}

func postgresUniqueKey(err error) (string, bool) {
	if pqErr := pq.As(err, pqerror.UniqueViolation); pqErr != nil {
		return pqErr.Constraint, true
	}
	return "", false
}

// uniqueFields names the store field behind each unique index, under the
// key each flavor reports for it (see flavor.uniqueKey).
var uniqueFields = map[string]string{
	"users.id":                       "id",
	"users_pkey":                     "id",
	"users.email_normalized":         "email",
	"users_email_normalized_key":     "email",
	"users.username_normalized":      "username",
	"users_username_normalized_key":  "username",
	"sessions.id":                    "id",
	"sessions_pkey":                  "id",
	"sessions.secret_hash":           "secret_hash",
	"sessions_secret_hash_key":       "secret_hash",
	"audit_events.id":                "id",
	"audit_events_pkey":              "id",
	"auth_tokens.user_id":            "user_id",
	"auth_tokens_pkey":               "user_id",
	"auth_tokens.key_hash":           "key_hash",
	"auth_tokens_key_hash_key":       "key_hash",
	"one_time_tokens.id":             "id",
	"one_time_tokens_pkey":           "id",
	"one_time_tokens.token_hash":     "token_hash",
	"one_time_tokens_token_hash_key": "token_hash",
	"clients.client_id":              "client_id",
	"clients_pkey":                   "client_id",
	"authorization_codes.code_hash":  "code_hash",
	"authorization_codes_pkey":       "code_hash",
	"users.external_id":              "external_id",
	"users_external_id_key":          "external_id",
	"passkeys.credential_id":         "credential_id",
	"passkeys_credential_id_key":     "credential_id",
}

// wrap gives err the op prefix and turns driver errors into the store's:
// no row is store.ErrNotFound, a unique violation a *store.ConflictError.
// The driver's message is dropped for those two, never for anything else.
func (f *flavor) wrap(op string, err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s: %w", op, store.ErrNotFound)
	}
	if unreachable(err) {
		return fmt.Errorf("%s: %w: %w", op, store.ErrUnavailable, err)
	}
	if key, ok := f.uniqueKey(err); ok {
		field, known := uniqueFields[key]
		if !known {
			field = key
		}
		return fmt.Errorf("%s: %w", op, &store.ConflictError{Field: field})
	}
	return fmt.Errorf("%s: %w", op, err)
}

// unreachable reports whether err means the database could not be reached
// or did not answer (as opposed to refusing the statement): a refused or
// broken connection, a timeout, a server shutting down, a busy SQLite file.
func unreachable(err error) bool {
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, driver.ErrBadConn) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, context.DeadlineExceeded) || errors.Is(err, sql.ErrConnDone) {
		return true
	}
	var pqErr *pq.Error
	if errors.As(err, &pqErr) {
		class := string(pqErr.Code)
		// 08: connection exception; 57P: operator intervention (shutdown,
		// cannot connect now); 53300: too many connections.
		return strings.HasPrefix(class, "08") || strings.HasPrefix(class, "57P") || class == "53300"
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		code := se.Code() & 0xff
		return code == sqlite3.SQLITE_BUSY || code == sqlite3.SQLITE_LOCKED
	}
	return false
}
