// Package view owns the JSON shapes of Tessera's records that more than one
// front end shows: the admin API answers with them, and the operator
// commands (`tessera users`, `sessions`, `clients`, `audit` with --json)
// print the very same, so the command line and the API cannot drift apart.
// The user's own device list shares the session view.
//
// A view must never carry a secret (a session's nonce or secret hash, a
// password hash, a token), and this package must never import a transport:
// the commands print views without any server running.
package view
