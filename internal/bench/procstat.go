package bench

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// rssSampleEvery is how often the resident set is sampled when the kernel
// cannot reset the peak (VmHWM) between scenarios.
const rssSampleEvery = 50 * time.Millisecond

// memStatus reads VmHWM (peak resident set) and VmRSS (current) of pid
// from /proc/<pid>/status, in bytes.
func memStatus(pid int) (hwm, rss int64, err error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, val, ok := strings.Cut(sc.Text(), ":")
		if !ok || (name != "VmHWM" && name != "VmRSS") {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(val), "kB")), 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("parse %s: %w", name, err)
		}
		if name == "VmHWM" {
			hwm = kb << 10
		} else {
			rss = kb << 10
		}
	}
	if err := sc.Err(); err != nil {
		return 0, 0, err
	}
	if hwm == 0 && rss == 0 {
		return 0, 0, fmt.Errorf("/proc/%d/status has no VmHWM or VmRSS", pid)
	}
	return hwm, rss, nil
}

// userHZ is the unit of the CPU times in /proc/<pid>/stat: fixed at 100
// by the kernel's ABI whatever its internal tick rate.
const userHZ = 100

// cpuTime returns the user plus system CPU time pid has used, from fields
// 14 and 15 of /proc/<pid>/stat (10 ms resolution).
func cpuTime(pid int) (time.Duration, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) may hold spaces; fields after it don't.
	i := strings.LastIndexByte(string(data), ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc/%d/stat: no command name", pid)
	}
	f := strings.Fields(string(data[i+1:]))
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(f))
	}
	// f[0] is field 3 (state), so utime (14) and stime (15) are f[11], f[12].
	var ticks int64
	for _, s := range f[11:13] {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("/proc/%d/stat: %w", pid, err)
		}
		ticks += n
	}
	return time.Duration(ticks) * time.Second / userHZ, nil
}

// machineBusy returns the time every core of the machine has spent busy
// since boot: the user, nice, system, irq and softirq columns of the
// "cpu" line of /proc/stat (idle, iowait and the time a hypervisor stole
// are not busy here).
func machineBusy() (time.Duration, error) {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, err
	}
	return parseMachineBusy(string(data))
}

func parseMachineBusy(stat string) (time.Duration, error) {
	line, _, _ := strings.Cut(stat, "\n")
	f := strings.Fields(line)
	if len(f) < 8 || f[0] != "cpu" {
		return 0, fmt.Errorf("/proc/stat: first line %.40q is not the machine's", line)
	}
	var ticks int64
	for _, i := range []int{1, 2, 3, 6, 7} { // user nice system irq softirq
		n, err := strconv.ParseInt(f[i], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("/proc/stat: %w", err)
		}
		ticks += n
	}
	return time.Duration(ticks) * time.Second / userHZ, nil
}

// cpuSplit reads, over one measured window, the CPU time of the serving process,
// of this process when it is only the load generator, and of the machine.
type cpuSplit struct {
	pid                  int
	own                  bool
	cpu, load, machine   time.Duration
	cpuOK, loadOK, macOK bool
}

func startCPUSplit(pid int) *cpuSplit {
	c := &cpuSplit{pid: pid, own: pid == os.Getpid()}
	var err error
	c.cpu, err = cpuTime(pid)
	c.cpuOK = pid > 0 && err == nil
	if !c.own {
		c.load, err = cpuTime(os.Getpid())
		c.loadOK = err == nil
	}
	c.machine, err = machineBusy()
	c.macOK = err == nil
	return c
}

// stop records in t what was spent since startCPUSplit; a figure that
// could not be read at either end stays 0 (unknown).
func (c *cpuSplit) stop(t *Tally) {
	if d, err := cpuTime(c.pid); c.cpuOK && err == nil {
		t.CPU = d - c.cpu
	}
	if d, err := cpuTime(os.Getpid()); c.loadOK && err == nil {
		t.LoadCPU = d - c.load
	}
	if d, err := machineBusy(); c.macOK && err == nil {
		t.MachineCPU = d - c.machine
	}
}

// resetPeak sets pid's VmHWM back to its current RSS (Linux 4.0+: writing
// 5 to clear_refs), so the next reading is the peak of one scenario.
func resetPeak(pid int) error {
	return os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0)
}

// peakWatch tracks one process's peak resident set over a scenario: the
// kernel's VmHWM after a reset when that works, otherwise the largest
// VmRSS sampled every rssSampleEvery.
type peakWatch struct {
	pid     int
	resetOK bool
	stop    context.CancelFunc
	done    sync.WaitGroup
	sampled int64
}

// watchPeak starts watching pid; pid 0 watches nothing.
func watchPeak(pid int) *peakWatch {
	w := &peakWatch{pid: pid}
	if pid == 0 {
		return w
	}
	w.resetOK = resetPeak(pid) == nil
	ctx, cancel := context.WithCancel(context.Background())
	w.stop = cancel
	w.done.Go(func() {
		t := time.NewTicker(rssSampleEvery)
		defer t.Stop()
		for {
			if _, rss, err := memStatus(pid); err == nil {
				w.sampled = max(w.sampled, rss)
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	})
	return w
}

// Peak stops the watch and returns the peak in bytes (0 when unknown).
func (w *peakWatch) Peak() int64 {
	if w.pid == 0 {
		return 0
	}
	w.stop()
	w.done.Wait()
	hwm, _, err := memStatus(w.pid)
	if err == nil && w.resetOK {
		return max(hwm, w.sampled)
	}
	return w.sampled
}
