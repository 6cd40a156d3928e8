// Package config owns Tessera's settings: their defaults, their TESSERA_*
// environment variables and flags (defaults, then environment, then flags,
// for every command alike; a command shows as flags the settings it uses),
// Validate, which reports every bad value at once, and the redaction of the
// secrets they hold (RedactURL, Redactor).
//
// It must never open files, sockets or databases: it only describes. It
// must never put a secret in an error.
package config
