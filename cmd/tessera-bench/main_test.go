package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tessera-id/tessera/internal/bench"
)

// TestMain lets the test binary serve as the tool's own child server, as
// the real binary does.
func TestMain(m *testing.M) {
	if bench.IsChild() {
		os.Exit(bench.ChildMain())
	}
	os.Exit(m.Run())
}

// TestSmoke runs the whole tool briefly on SQLite with the server as a
// child process and checks that every scenario and baseline made requests
// without a single error. It checks no timing.
func TestSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("runs servers and real argon2id hashes")
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "report.json")
	var stdout, stderr strings.Builder
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	code := run(ctx, []string{
		"--clients", "2", "--duration", "600ms", "--warmup", "100ms", "--slices", "2",
		// Cheap hashes: under -race the real ones take longer than a window.
		"--argon2-memory", "1024", "--argon2-time", "1",
		"--seed-sessions", "50,200", "--work-dir", filepath.Join(dir, "work"), "--out", out,
		"--scenarios", strings.Join(bench.AllScenarios, ","), "--watcher-revoked", "500",
		"--db-max-conns", "3",
	}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d\nstderr:\n%s", code, stderr.String())
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var rep bench.Report
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, s := range rep.Scenarios {
		names[s.Name] = true
		if s.Requests == 0 || s.Errors != 0 || s.BaselineRate == 0 {
			t.Errorf("scenario %s: %d requests, %d errors %v, baseline %.1f/s", s.Name, s.Requests, s.Errors, s.ErrorSamples, s.BaselineRate)
		}
		// Two slices, each beside its own baseline slice: two ratios.
		if len(s.SliceRatios) != 2 || slices.Min(s.SliceRatios) <= 0 {
			t.Errorf("scenario %s: slice ratios %v, want two positive", s.Name, s.SliceRatios)
		}
	}
	for _, want := range append(bench.DefaultScenarios, "refresh@200") {
		if !names[want] {
			t.Errorf("no %s scenario in the report", want)
		}
	}
	for _, b := range rep.Baselines {
		if b.Requests == 0 || b.Errors != 0 {
			t.Errorf("baseline %s: %d requests, %d errors %v", b.Name, b.Requests, b.Errors, b.ErrorSamples)
		}
	}
	if w := rep.Watcher; w == nil || w.Revoked != 500 || w.CatchUpPolls < 1 || w.PollCPU <= 0 {
		t.Errorf("watcher = %+v", w)
	}
	if len(rep.Sizes) != 2 || rep.Sizes[1].Sessions < 200 || rep.Sizes[1].BytesPerSession <= 0 {
		t.Errorf("sizes = %+v", rep.Sizes)
	}
	if rep.DBMaxConns != 3 || !strings.Contains(stdout.String(), "- database pool: 3 connections") {
		t.Errorf("db_max_conns = %d; markdown:\n%s", rep.DBMaxConns, stdout.String())
	}
	if !strings.Contains(stdout.String(), "| verify |") {
		t.Errorf("markdown lacks the verify row:\n%s", stdout.String())
	}
}

func TestDefaultOut(t *testing.T) {
	now := time.Date(2026, 11, 28, 13, 16, 50, 0, time.UTC)
	tests := []struct {
		name string
		cfg  bench.Config
		want string
	}{
		{"sqlite", bench.Config{}, "bench-results/20261128T131650Z-sqlite.json"},
		{"postgres", bench.Config{DatabaseURL: "postgres://x"}, "bench-results/20261128T131650Z-postgres.json"},
		{"target", bench.Config{Target: "http://h"}, "bench-results/20261128T131650Z-target.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := defaultOut(tt.cfg, now); got != tt.want {
				t.Errorf("defaultOut = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestBadFlags(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--scenarios", "nope"}, `unknown scenario "nope"`},
		{[]string{"--db-max-conns", "-1"}, "db-max-conns -1: want 0"},
		{[]string{"--db-max-conns", "4", "--target", "http://127.0.0.1:1"}, "db-max-conns 4: want 0 (Tessera's default) or more, and none with --target"},
	}
	for _, tt := range tests {
		var stdout, stderr strings.Builder
		if code := run(context.Background(), tt.args, &stdout, &stderr); code != 1 || !strings.Contains(stderr.String(), tt.want) {
			t.Errorf("%v: exit %d, stderr %s", tt.args, code, stderr.String())
		}
	}
}
