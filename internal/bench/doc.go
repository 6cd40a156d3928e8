// Package bench measures how close a running Tessera comes to the limits of
// the machine it runs on. Every scenario (jwks, login, refresh, me,
// classic-token, verify) is driven by the same load machinery as a baseline
// measured in the same run (a bare Gin handler, one prepared
// UPDATE ... RETURNING or primary-key SELECT behind a bare Gin handler,
// argon2id hashes per core, raw signature checks), and each figure is reported as a ratio to its baseline, so the
// numbers keep their meaning on a noisy machine. Two ratios are given:
// throughput over the baseline's throughput (what the targets are about),
// with the two measured in alternating slices so both see the same
// moments of the machine; and the baseline's CPU time per operation over
// the scenario's, read from the serving process itself, which the rest of
// the machine's load barely moves.
//
// By default the server under test runs as a child process of the running
// binary (the same executable re-executed with TESSERA_BENCH_CHILD set), so
// its peak RSS and CPU time are the server's alone; the baselines run in a
// second child.
//
// It is a tool, not part of the product: nothing in Tessera imports it, and
// it never asserts timings. It only writes to the database it creates (a
// temporary SQLite file or a fresh Postgres schema it drops afterwards),
// except the bench_ceiling table when pointed at an existing database.
package bench
