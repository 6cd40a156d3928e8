package bench

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sync"
	"time"
)

// scenario runs one scenario beside its baseline, each with a baseline of
// its own interleaved with it: me and classic-token beside bare Gin with
// one primary-key SELECT.
func (r *runner) scenario(ctx context.Context, name string) error {
	switch name {
	case ScenarioJWKS:
		return r.pair(ctx, name, baseBareGin, true, opJWKS(r.ep))
	case ScenarioLogin:
		return r.pair(ctx, name, baseArgon2, true, opLogin(r.ep, r.emails))
	case ScenarioRefresh:
		if err := r.loginDevices(ctx); err != nil {
			return err
		}
		return r.pair(ctx, name, baseCeiling, true, opRefresh(r.ep, r.devices))
	case ScenarioRefreshCookie:
		if err := r.loginCookieDevices(ctx); err != nil {
			return err
		}
		return r.pair(ctx, name, baseCeiling, true, opRefreshCookie(r.ep, r.cookieDevs))
	case ScenarioMe:
		if err := r.loginDevices(ctx); err != nil {
			return err
		}
		return r.pair(ctx, name, basePK, true, opMe(r.ep, r.devices))
	case ScenarioClassic:
		if err := r.classicKeys(ctx); err != nil {
			return err
		}
		return r.pair(ctx, name, basePK, true, opClassic(r.ep, r.classic))
	case ScenarioCodeFlow:
		if err := r.signInBrowsers(ctx); err != nil {
			return err
		}
		return r.pair(ctx, name, baseCeiling, true, opCodeFlow(r.ep, r.browsers))
	case ScenarioWatcher:
		return r.watch(ctx)
	case ScenarioVerify:
		if err := r.verifyKit(ctx); err != nil {
			return err
		}
		return r.pair(ctx, name, baseRawSig, true, r.kit.opVerify())
	}
	return fmt.Errorf("unknown scenario %q", name)
}

// growAndRefresh fills the sessions table to size and runs refresh again.
func (r *runner) growAndRefresh(ctx context.Context, size int64) error {
	if r.db == nil {
		return nil
	}
	r.logf("filling sessions to %d", size)
	if err := r.fill(ctx, size); err != nil {
		return err
	}
	if !r.cfg.wants(ScenarioRefresh) {
		return nil
	}
	return r.pair(ctx, fmt.Sprintf("%s@%d", ScenarioRefresh, size), baseCeiling, true, opRefresh(r.ep, r.devices))
}

// slices is how many rounds a pair is cut into: one when profiling, so
// that one profile covers one window.
func (r *runner) slices() int {
	if r.cfg.CPUProfileDir != "" {
		return 1
	}
	return max(r.cfg.Slices, 1)
}

// pair measures a scenario in Slices rounds of (baseline slice, scenario
// slice), each Duration/Slices long, so that both sides of the ratio see
// the same moments of a noisy machine; the first slice of each side
// warms up for Warmup, the next ones for Warmup/Slices. Without own the
// baseline is the last one measured (or measured alone first).
func (r *runner) pair(ctx context.Context, name, baseName string, own bool, newOp func(int) Op) error {
	n := r.slices()
	var bt, st Tally
	s := Scenario{}
	if r.db != nil {
		c, err := countSessions(ctx, r.db.DB)
		if err != nil {
			return err
		}
		s.Sessions = c
	}
	own = own || r.measured[baseName].Name == ""
	r.logf("%s: %d clients, %v in %d slices, beside %s", name, r.cfg.Clients, r.cfg.Duration, n, baseName)
	for k := range n {
		load := Load{Clients: r.cfg.Clients, Warmup: r.cfg.Warmup, Duration: r.cfg.Duration / time.Duration(n)}
		if k > 0 {
			load.Warmup /= time.Duration(n)
		}
		var b Tally
		if own {
			b = r.driveBaseline(ctx, baseName, load)
			bt.Add(b)
		}
		t, peak, prof := r.measure(ctx, name, load, r.serverOf(name), newOp)
		st.Add(t)
		if x := sliceRatio(t, b); x > 0 && n > 1 {
			s.SliceRatios = append(s.SliceRatios, x)
		}
		s.PeakRSSBytes, s.Profile = max(s.PeakRSSBytes, peak), prof
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	if own {
		b := bt.Result(baseName)
		r.measured[baseName] = b
		r.rep.Baselines = append(r.rep.Baselines, b)
	}
	b := r.measured[baseName]
	s.Result, s.Baseline, s.BaselineRate, s.BaselineCPU, s.BaselineP99 = st.Result(name), b.Name, b.PerSecond, b.CPUPerOp, b.P99
	s.evaluate(r.rep.Database)
	r.logf("%s: %.1f/s, p99 %.2f ms, %d errors, %d shed; %s %.1f/s", name, s.PerSecond, s.P99, s.Errors, s.Shed, b.Name, b.PerSecond)
	r.rep.Scenarios = append(r.rep.Scenarios, s)
	return nil
}

// serverOf is the server whose memory and CPU a scenario exercises; nil
// for verify, which runs in this process.
func (r *runner) serverOf(name string) *service {
	if name == ScenarioVerify {
		return nil
	}
	return r.tessera
}

// driveBaseline drives one slice of a baseline: the two HTTP ones with the
// scenario's clients, the two CPU ones with one goroutine per core.
func (r *runner) driveBaseline(ctx context.Context, name string, load Load) Tally {
	server, newOp := r.baseline, opConst(r.bep)
	switch name {
	case baseCeiling:
		newOp = opCeiling(r.bep)
	case basePK:
		newOp = opPK(r.bep)
	case baseArgon2:
		load.Clients, server, newOp = runtime.GOMAXPROCS(0), nil, opHash(r.cfg.HashParams)
	case baseRawSig:
		load.Clients, server, newOp = runtime.GOMAXPROCS(0), nil, r.kit.opRawSignature()
	}
	t, _, _ := r.measure(ctx, "baseline-"+name, load, server, newOp)
	return t
}

// measure drives newOp, records the CPU time of the serving process
// (server, or this process when nil) in the measured window, watches the server's memory when
// it is Tessera and, when asked, profiles the measured window.
func (r *runner) measure(ctx context.Context, name string, load Load, server *service, newOp func(int) Op) (Tally, int64, string) {
	rssPID, cpuPID := 0, os.Getpid()
	if server != nil {
		cpuPID = server.PID
		if server == r.tessera {
			rssPID = server.PID
		}
	}
	watch := watchPeak(rssPID)
	stopProfile := r.startProfile(ctx, name, load, server)
	// CPU is read at the window's edges: the operations that ended in
	// it are those the rate counts.
	var (
		split *cpuSplit
		spent Tally
	)
	load.Edge = func() {
		if split == nil {
			split = startCPUSplit(cpuPID)
		} else {
			split.stop(&spent)
		}
	}
	t := Drive(ctx, load, newOp)
	t.CPU, t.LoadCPU, t.MachineCPU = spent.CPU, spent.LoadCPU, spent.MachineCPU
	return t, watch.Peak(), stopProfile()
}

// startProfile starts a CPU profile of the measured window and returns
// the function that ends it and names the file ("" when none). A child
// server is profiled through its pprof port; anything in this process
// with runtime/pprof.
func (r *runner) startProfile(ctx context.Context, name string, load Load, server *service) func() string {
	if r.cfg.CPUProfileDir == "" {
		return func() string { return "" }
	}
	path := filepath.Join(r.cfg.CPUProfileDir, name+".pprof")
	if err := os.MkdirAll(r.cfg.CPUProfileDir, 0o755); err != nil {
		r.logf("cpu profile: %v", err)
		return func() string { return "" }
	}
	if server != nil && server.PprofURL != "" {
		return r.remoteProfile(ctx, server.PprofURL, path, load)
	}
	return r.localProfile(path, load)
}

func (r *runner) remoteProfile(ctx context.Context, url, path string, load Load) func() string {
	secs := max(1, int(math.Ceil(load.Duration.Seconds())))
	var wg sync.WaitGroup
	ok := false
	wg.Go(func() {
		select {
		case <-ctx.Done():
			return
		case <-time.After(load.Warmup):
		}
		ok = fetchProfile(ctx, fmt.Sprintf("%s/debug/pprof/profile?seconds=%d", url, secs), path) == nil
	})
	return func() string {
		wg.Wait()
		if !ok {
			r.logf("cpu profile %s failed", path)
			return ""
		}
		return path
	}
}

func fetchProfile(ctx context.Context, url, path string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	_, err = io.Copy(f, resp.Body)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func (r *runner) localProfile(path string, load Load) func() string {
	var (
		mu      sync.Mutex
		f       *os.File
		stopped bool
	)
	timer := time.AfterFunc(load.Warmup, func() {
		mu.Lock()
		defer mu.Unlock()
		if stopped {
			return
		}
		var err error
		if f, err = os.Create(path); err == nil {
			if err = pprof.StartCPUProfile(f); err != nil {
				f.Close()
				f = nil
			}
		}
	})
	return func() string {
		timer.Stop()
		mu.Lock()
		defer mu.Unlock()
		stopped = true
		if f == nil {
			return ""
		}
		pprof.StopCPUProfile()
		f.Close()
		return path
	}
}

// loginDevices logs every client in once, as its user (one hash each).
func (r *runner) loginDevices(ctx context.Context) error {
	if r.devices != nil {
		return nil
	}
	r.logf("logging %d devices in", r.cfg.Clients)
	devs := make([]device, r.cfg.Clients)
	err := parallel(len(devs), func(i int) error {
		var out loginResponse
		err := r.ep.doPatiently(ctx, call{Method: http.MethodPost, Path: "/v1/auth/login", Body: loginBody(r.emails[i%len(r.emails)]), Out: &out})
		devs[i] = device{access: out.AccessToken, refresh: out.RefreshToken}
		return err
	})
	if err != nil {
		return fmt.Errorf("log devices in: %w", err)
	}
	r.devices = devs
	return nil
}

// classicKeys obtains every user's classic token (one hash each).
func (r *runner) classicKeys(ctx context.Context) error {
	if r.classic != nil {
		return nil
	}
	r.logf("obtaining %d classic tokens", len(r.emails))
	keys := make([]string, len(r.emails))
	err := parallel(len(keys), func(i int) error {
		var out struct {
			Token string `json:"token"`
		}
		body := mustJSON(map[string]string{"email": r.emails[i], "password": benchPassword})
		err := r.ep.doPatiently(ctx, call{Method: http.MethodPost, Path: "/v1/auth/token", Body: body, Out: &out})
		keys[i] = out.Token
		return err
	})
	if err != nil {
		return fmt.Errorf("obtain classic tokens: %w", err)
	}
	r.classic = keys
	return nil
}

// verifyKit prepares offline verification over the devices' access tokens.
func (r *runner) verifyKit(ctx context.Context) error {
	if r.kit != nil {
		return nil
	}
	if err := r.loginDevices(ctx); err != nil {
		return err
	}
	tokens := make([]string, len(r.devices))
	for i, d := range r.devices {
		tokens[i] = d.access
	}
	kit, err := newVerifyKit(r.jwks, tokens)
	if err != nil {
		return err
	}
	r.kit = kit
	return nil
}
