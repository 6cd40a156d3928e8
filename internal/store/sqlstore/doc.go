// Package sqlstore is the one implementation of store.Store, written once
// for SQLite (modernc.org/sqlite) and PostgreSQL (lib/pq) with sqlx.
//
// It owns: opening and pooling connections from a TESSERA_DATABASE_URL,
// applying the embedded migrations (package migrations) under goose's lock,
// the SQL text of every query, and the translation between database values
// and store types. Queries are written once with '?' placeholders; every
// difference between the two databases lives in flavor (flavor.go), and
// every conversion of a timestamp lives in codec.go.
//
// It must never: read the clock (every time it writes comes from the
// caller; the one exception is an audit event without CreatedAt, which takes
// the database's clock); decide policy (who may log in, when a session ends:
// that is package auth); store a secret in plain text (it is given hashes
// and nonces, never tokens); log (it returns errors, wrapped with %w, and
// callers log them); or hold SQL outside this package.
//
// Times are written in UTC, truncated to microseconds, and read back in UTC,
// so both databases return identical values. On SQLite a timestamp is TEXT
// in the fixed-width layout 2006-01-02T15:04:05.000000Z, which sorts and
// compares in SQL exactly like the instants it names.
//
// On SQLite, writes go through a pool of exactly one connection and reads
// through a separate read-only pool, so writers queue in Go instead of
// spinning on SQLITE_BUSY, while WAL lets reads run beside the write.
package sqlstore
