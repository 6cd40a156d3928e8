// Package importer reads accounts exported from another system (Django's
// `manage.py dumpdata` JSON, or a generic JSON-lines form) and hands them,
// one record at a time, to the use cases that import them.
//
// It owns the formats and the join of a dump's objects (users, groups,
// token keys, verified addresses) and the report of what an import did.
// It must never hold a whole export in memory (a million accounts stream
// through a constant heap), and it never decides an import rule itself:
// what is created, updated, skipped or must reset its password is decided
// by auth's Import* use cases, the Sink.
package importer
