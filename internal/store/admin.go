package store

// AdminStore holds what administrators need beyond the user's own view:
// paginated listings, client management and the audit log.
type AdminStore interface{}
