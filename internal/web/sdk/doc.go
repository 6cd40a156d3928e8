// Package sdk holds Tessera's browser client, tessera.js and its type
// declarations, embedded in the binary and stamped with the server's
// version. It only serves bytes: the rules the client follows (cookie
// delivery, CSRF, one refresh at a time) are the server's, enforced there.
package sdk
