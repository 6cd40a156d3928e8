package bench

import (
	"context"
	"errors"
	"math"
	"slices"
	"sync"
	"time"
)

// Op is one operation of a scenario: one HTTP request, one hash, one
// signature check. It is called by one goroutine at a time.
type Op func(ctx context.Context) error

// Load is how a scenario is driven: Clients goroutines each call their Op
// in a closed loop (the next call starts when the previous one returned)
// for Warmup, which is not measured, then for Duration, which is.
type Load struct {
	Clients  int
	Warmup   time.Duration
	Duration time.Duration
	// Edge, when set, is called as the measured window opens and again as
	// it closes (not when ctx ends the drive first): the moments at which
	// to read counters, such as CPU time, that should cover the window
	// alone.
	Edge func()
}

// maxErrorSamples bounds the distinct error messages kept per result.
const maxErrorSamples = 5

// errorPause slows a client down after a failure so that a dead server
// does not turn the loop into a busy spin.
const errorPause = 10 * time.Millisecond

type worker struct {
	samples []time.Duration
	errs    int64
	shed    int64
	msgs    []string
}

// Backoff returns how long to wait before retrying after err when err is
// a shed answer (one with a Backoff() time.Duration method returning a
// positive value), and 0 for any other error.
func Backoff(err error) time.Duration {
	var b interface{ Backoff() time.Duration }
	if errors.As(err, &b) {
		return b.Backoff()
	}
	return 0
}

// Tally is the raw outcome of one or more drives of the same scenario:
// the latencies of the operations that succeeded inside the measured
// windows, the failures, and the windows' total length.
type Tally struct {
	Clients int
	Samples []time.Duration
	Errors  int64
	Shed    int64
	Msgs    []string
	Window  time.Duration
	// CPU is the CPU time the serving process spent in the windows (0
	// when unknown): over the operations that ended in them, the work one
	// operation costs, a figure other processes on the machine barely
	// disturb. The warm-up, whose first operations may cost more (a
	// process's first hashes, a server's first requests on a new
	// connection), and the drain are left out, as from the rate.
	CPU time.Duration
	// LoadCPU is the CPU time this process (the load generator) spent
	// in the same windows, when it is not also the serving process, and
	// MachineCPU the busy time of every core of the machine: the rest of
	// it is the database's, the kernel's and anything else running.
	LoadCPU    time.Duration
	MachineCPU time.Duration
}

// Add merges o into t: interleaved slices of one scenario add up to one
// result.
func (t *Tally) Add(o Tally) {
	t.Clients = max(t.Clients, o.Clients)
	t.Samples = append(t.Samples, o.Samples...)
	t.Errors += o.Errors
	t.Shed += o.Shed
	t.Window += o.Window
	t.CPU += o.CPU
	t.LoadCPU += o.LoadCPU
	t.MachineCPU += o.MachineCPU
	for _, m := range o.Msgs {
		if len(t.Msgs) < maxErrorSamples && !slices.Contains(t.Msgs, m) {
			t.Msgs = append(t.Msgs, m)
		}
	}
}

// Rate is the operations per second that ended in t's windows; 0 when
// nothing was measured.
func (t *Tally) Rate() float64 { return perSecond(len(t.Samples), t.Window) }

// sliceRatio is one slice's ratio: the scenario's rate over the rate of
// the baseline slice run just before it; 0 when either measured nothing.
func sliceRatio(scenario, baseline Tally) float64 {
	s, b := scenario.Rate(), baseline.Rate()
	if s <= 0 || b <= 0 {
		return 0
	}
	return math.Round(s/b*1000) / 1000
}

// Result summarizes t under name. It sorts t.Samples.
func (t *Tally) Result(name string) Result {
	r := Result{Name: name, Clients: t.Clients, Errors: t.Errors, Shed: t.Shed, ErrorSamples: t.Msgs}
	summarize(&r, t.Samples, t.Window)
	r.CPUPerOp = t.perOp(t.CPU)
	r.LoadCPUPerOp = t.perOp(t.LoadCPU)
	r.MachineCPUPerOp = t.perOp(t.MachineCPU)
	return r
}

// perOp is d per operation that ended in the windows, in milliseconds to
// the microsecond; 0 when either is unknown.
func (t *Tally) perOp(d time.Duration) Millis {
	n := len(t.Samples)
	if d <= 0 || n == 0 {
		return 0
	}
	return Millis(math.Round(float64(d)/float64(n)/float64(time.Microsecond)) / 1000)
}

// Drive runs newOp(i) for i in [0, l.Clients) as l describes and tallies
// the operations that succeeded and ended inside the measured window.
// Calls still running when the window closes are waited for (they may hold
// state a later scenario needs, such as a refresh token) but not counted.
func Drive(ctx context.Context, l Load, newOp func(i int) Op) Tally {
	clients := max(l.Clients, 1)
	from := time.Now().Add(l.Warmup)
	to := from.Add(l.Duration)
	workers := make([]worker, clients)
	var wg sync.WaitGroup
	for i := range workers {
		op := newOp(i)
		w := &workers[i]
		wg.Go(func() { w.run(ctx, op, from, to) })
	}
	if l.Edge != nil && sleepUntil(ctx, from) {
		l.Edge()
		if sleepUntil(ctx, to) {
			l.Edge()
		}
	}
	wg.Wait()
	end := time.Now()
	if end.After(to) {
		end = to
	}
	t := Tally{Clients: clients, Window: max(end.Sub(from), 0)}
	for i := range workers {
		w := &workers[i]
		t.Add(Tally{Samples: w.samples, Errors: w.errs, Shed: w.shed, Msgs: w.msgs})
	}
	return t
}

// sleepUntil waits until t and reports whether ctx let it.
func sleepUntil(ctx context.Context, t time.Time) bool {
	timer := time.NewTimer(time.Until(t))
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-timer.C:
		return true
	}
}

func (w *worker) run(ctx context.Context, op Op, from, to time.Time) {
	for ctx.Err() == nil {
		t0 := time.Now()
		if !t0.Before(to) {
			return
		}
		err := op(ctx)
		t1 := time.Now()
		if err != nil {
			pause := errorPause
			if d := Backoff(err); d > 0 {
				w.shed++
				pause = min(d, time.Until(to))
			} else {
				w.errs++
				if len(w.msgs) < maxErrorSamples {
					w.msgs = append(w.msgs, err.Error())
				}
			}
			select {
			case <-ctx.Done():
			case <-time.After(pause):
			}
			continue
		}
		if !t1.Before(from) && !t1.After(to) {
			w.samples = append(w.samples, t1.Sub(t0))
		}
	}
}
