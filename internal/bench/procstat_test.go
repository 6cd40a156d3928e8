package bench

import (
	"os"
	"strings"
	"testing"
	"time"
)

func TestParseMachineBusy(t *testing.T) {
	// user nice system idle iowait irq softirq steal guest guest_nice
	const stat = "cpu  100 20 30 5000 40 5 6 70 0 0\ncpu0 50 10 15 2500 20 3 3 35 0 0\nintr 1 2\n"
	got, err := parseMachineBusy(stat)
	if err != nil {
		t.Fatal(err)
	}
	// 100+20+30+5+6 ticks of 10 ms: idle, iowait and steal left out.
	if want := 1610 * time.Millisecond; got != want {
		t.Errorf("busy = %v, want %v", got, want)
	}
	for _, bad := range []string{
		"",
		"cpu0 1 2 3 4 5 6 7 8\n",
		"cpu 1 2 3\n",
		"cpu 1 x 3 4 5 6 7 8\n",
		"intr 1 2 3 4 5 6 7 8\ncpu 1 2 3 4 5 6 7 8\n",
	} {
		if d, err := parseMachineBusy(bad); err == nil {
			t.Errorf("parseMachineBusy(%q) = %v, want an error", bad, d)
		}
	}
}

// TestCPUSplitOfThisProcess spins this process, measured as the serving
// one: it is then not a separate load generator, and the machine was at
// least as busy as the process.
func TestCPUSplitOfThisProcess(t *testing.T) {
	if _, err := os.Stat("/proc/stat"); err != nil {
		t.Skip("no /proc on this system")
	}
	split := startCPUSplit(os.Getpid())
	spinUntil := time.Now().Add(300 * time.Millisecond)
	for n := 0; time.Now().Before(spinUntil); n++ {
		_ = strings.Repeat("x", n%64)
	}
	var tl Tally
	split.stop(&tl)
	if tl.CPU < 100*time.Millisecond {
		t.Errorf("CPU = %v after spinning 300 ms", tl.CPU)
	}
	if tl.LoadCPU != 0 {
		t.Errorf("LoadCPU = %v for the serving process itself, want 0", tl.LoadCPU)
	}
	// Both are read in 10 ms ticks, at slightly different moments.
	if tl.MachineCPU+20*time.Millisecond < tl.CPU {
		t.Errorf("MachineCPU = %v, less than the process's own %v", tl.MachineCPU, tl.CPU)
	}
}

func TestTallyCPUPerOp(t *testing.T) {
	var tl Tally
	// Two slices of 500 operations each.
	for range 2 {
		tl.Add(Tally{Samples: make([]time.Duration, 500), CPU: 150 * time.Millisecond, LoadCPU: 50 * time.Millisecond, MachineCPU: 400 * time.Millisecond})
	}
	r := tl.Result("refresh")
	if r.CPUPerOp != 0.3 || r.LoadCPUPerOp != 0.1 || r.MachineCPUPerOp != 0.8 {
		t.Errorf("per op: serving %v, load %v, machine %v; want 0.3, 0.1, 0.8", r.CPUPerOp, r.LoadCPUPerOp, r.MachineCPUPerOp)
	}
	if got := r.RestCPUPerOp(); got != 0.4 {
		t.Errorf("rest = %v, want 0.4", got)
	}
	// Unknown figures stay unknown rather than becoming a rest.
	if got := (Result{MachineCPUPerOp: 0.8}).RestCPUPerOp(); got != 0 {
		t.Errorf("rest without the serving figure = %v, want 0", got)
	}
	// Ticks read at different moments may make the parts exceed the whole.
	if got := (Result{MachineCPUPerOp: 0.3, CPUPerOp: 0.3, LoadCPUPerOp: 0.1}).RestCPUPerOp(); got != 0 {
		t.Errorf("rest of an overcounted split = %v, want 0", got)
	}
	if r := (&Tally{MachineCPU: time.Second}).Result("x"); r.MachineCPUPerOp != 0 {
		t.Errorf("per op without operations = %v, want 0", r.MachineCPUPerOp)
	}
}
