package store

// LifecycleStore persists the account flows: single-use e-mail
// verification and password-reset tokens.
type LifecycleStore interface{}
