// Package browsertest runs Tessera's browser tests: one headless Chromium
// per test package, a fresh profile (cookies, storage) per test, and the
// real deployment over HTTPS on sibling subdomains of tessera.test, all on
// 127.0.0.1 with a certificate made at start and trusted by its key.
//
// Without Chromium the tests skip with one line; with
// TESSERA_TEST_REQUIRE_BROWSER=1 (CI) they fail instead. It never turns
// certificate checks off and never reaches a host outside the machine.
package browsertest
