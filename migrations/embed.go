// Package migrations holds Tessera's schema as goose SQL migrations, one
// folder per dialect (postgres/, sqlite/), embedded into the binary.
//
// Both folders describe the same tables and facts; only the column types
// differ (Postgres: uuid, timestamptz, bytea, boolean; SQLite: TEXT uuids,
// fixed-width UTC TEXT timestamps, BLOB, INTEGER 0/1). A new migration is
// added to both folders with the same version number. Every statement is
// written so that re-running it is harmless (IF NOT EXISTS, ON CONFLICT DO
// NOTHING), and sqlstore serialises concurrent runs with goose's lock, so
// replicas may start together.
//
// The package only carries files: applying them is sqlstore's job.
package migrations

import "embed"

// FS holds postgres/*.sql and sqlite/*.sql. Use fs.Sub(FS, dialect) to get
// the folder goose expects.
//
//go:embed postgres/*.sql sqlite/*.sql
var FS embed.FS
