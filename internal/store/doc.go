// Package store owns Tessera's domain types (users, sessions, clients, audit
// events, OAuth authorization codes and consents) and the Store interface that persists them. It holds no SQL: the
// one implementation lives in sqlstore, and storetest checks any
// implementation against the same rules.
//
// Errors callers may test with errors.Is: ErrNotFound, ErrConflict, ErrStale
// (and ErrCodeReused, a kind of ErrStale that comes with the replayed code).
package store
