package store

// RevocationStore feeds offline verifiers with recently revoked sessions.
type RevocationStore interface{}
