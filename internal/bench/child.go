package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"time"

	"github.com/tessera-id/tessera/internal/config"
	"github.com/tessera-id/tessera/internal/logging"
	"github.com/tessera-id/tessera/internal/password"
	"github.com/tessera-id/tessera/internal/server"
)

// ChildEnv names the environment variable that turns the bench binary into
// one of its own servers. Its value is a JSON childSpec.
const ChildEnv = "TESSERA_BENCH_CHILD"

// Service kinds a child can run.
const (
	kindTessera  = "tessera"
	kindBaseline = "baseline"
)

// startTimeout bounds how long a child may take to migrate and listen.
const startTimeout = 2 * time.Minute

// stopTimeout bounds a child's graceful shutdown before it is killed.
const stopTimeout = 30 * time.Second

// childSpec is what a child server is told to run.
type childSpec struct {
	Kind        string           `json:"kind"`
	DatabaseURL string           `json:"database_url"`
	DBMaxConns  int              `json:"db_max_conns,omitempty"`
	KeysDir     string           `json:"keys_dir,omitempty"`
	SigningAlg  string           `json:"signing_alg,omitempty"`
	LogLevel    string           `json:"log_level,omitempty"`
	HashParams  *password.Params `json:"hash_params,omitempty"`
	Pprof       bool             `json:"pprof,omitempty"`
	ConstBody   string           `json:"const_body,omitempty"`
	CeilingRows int              `json:"ceiling_rows,omitempty"`
}

// listening is what a child reports, as one JSON line on stdout, once it
// accepts connections.
type listening struct {
	Addr  string `json:"addr"`
	Pprof string `json:"pprof,omitempty"`
}

// service is a running server under test or baseline server.
type service struct {
	URL      string
	PprofURL string // "" when profiling is off or the server is in-process
	// PID is the process whose memory is the server's: the child, or this
	// process when the server runs in-process.
	PID  int
	stop func() error
}

// Stop shuts the service down and waits for it.
func (s *service) Stop() error { return s.stop() }

// IsChild reports whether this process was started as a bench child.
func IsChild() bool { return os.Getenv(ChildEnv) != "" }

// ChildMain runs the server ChildEnv describes until SIGTERM, SIGINT or
// the end of stdin (the parent died), and returns the exit code. Logs go
// to stderr; the one stdout line says where it listens.
func ChildMain() int {
	var spec childSpec
	if err := json.Unmarshal([]byte(os.Getenv(ChildEnv)), &spec); err != nil {
		fmt.Fprintf(os.Stderr, "tessera-bench child: bad %s: %v\n", ChildEnv, err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	ctx, cancel := context.WithCancel(ctx)
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		cancel()
	}()
	err := serve(ctx, spec, os.Stderr, func(l listening) {
		b, _ := json.Marshal(l)
		fmt.Fprintf(os.Stdout, "%s\n", b)
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "tessera-bench child: %v\n", err)
		return 1
	}
	return 0
}

// serve runs the service spec describes on a loopback port until ctx
// ends; ready is called once it accepts connections.
func serve(ctx context.Context, spec childSpec, logOut io.Writer, ready func(listening)) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	defer ln.Close()
	l := listening{Addr: ln.Addr().String()}
	if spec.Pprof {
		pl, err := servePprof(ctx)
		if err != nil {
			return err
		}
		l.Pprof = pl
	}
	switch spec.Kind {
	case kindTessera:
		return serveTessera(ctx, spec, ln, logOut, func() { ready(l) })
	case kindBaseline:
		return serveBaseline(ctx, spec, ln, func() { ready(l) })
	}
	return fmt.Errorf("unknown child kind %q", spec.Kind)
}

// serveTessera runs the real server, assembled exactly as `tessera serve`
// assembles it, with the production hash parameters unless spec says
// otherwise.
func serveTessera(ctx context.Context, spec childSpec, ln net.Listener, logOut io.Writer, ready func()) error {
	cfg := config.Default()
	cfg.DatabaseURL = spec.DatabaseURL
	cfg.KeysDir = spec.KeysDir
	cfg.Addr = ln.Addr().String()
	cfg.Issuer = "http://" + cfg.Addr
	if spec.SigningAlg != "" {
		cfg.SigningAlg = spec.SigningAlg
	}
	if spec.LogLevel != "" {
		cfg.LogLevel = spec.LogLevel
	}
	if spec.DBMaxConns > 0 {
		cfg.DBMaxConns = spec.DBMaxConns
	}
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	// Buffered as `tessera serve` buffers it.
	buf := server.NewLogBuffer(logOut, server.DefaultLogBufferSize, server.DefaultLogFlushInterval)
	defer buf.Close()
	log := slog.New(logging.New(buf, false, &slog.HandlerOptions{Level: level}, nil))
	srv, err := server.New(ctx, cfg, server.Options{Logger: log, HashParams: spec.HashParams})
	if err != nil {
		return err
	}
	defer srv.Close()
	ready()
	return srv.Serve(ctx, ln)
}

// servePprof serves the CPU profile endpoint on a second loopback port so
// the parent can profile exactly one scenario's window.
func servePprof(ctx context.Context) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("pprof listen: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	go func() { <-ctx.Done(); _ = hs.Close() }()
	return "http://" + ln.Addr().String(), nil
}

// child is a running child process.
type child struct {
	cmd    *exec.Cmd
	stdin  io.Closer
	log    *os.File
	waited chan error // receives cmd.Wait's result once
}

// launch starts this binary as the child spec describes, its stderr (the
// server's log) going to logPath, and returns it with its stdout.
func launch(spec childSpec, logPath string) (*child, io.Reader, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, nil, err
	}
	js, err := json.Marshal(spec)
	if err != nil {
		return nil, nil, err
	}
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, nil, err
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), ChildEnv+"="+string(js))
	cmd.Stderr = logFile
	stdin, err1 := cmd.StdinPipe()
	stdout, err2 := cmd.StdoutPipe()
	if err := errors.Join(err1, err2); err != nil {
		return nil, nil, errors.Join(err, logFile.Close())
	}
	if err := cmd.Start(); err != nil {
		return nil, nil, errors.Join(err, logFile.Close())
	}
	return &child{cmd: cmd, stdin: stdin, log: logFile, waited: make(chan error, 1)}, stdout, nil
}

// stop closes the child's stdin, which makes it shut down gracefully, and
// kills it if it has not exited within stopTimeout.
func (c *child) stop() error {
	c.stdin.Close()
	var err error
	select {
	case err = <-c.waited:
	case <-time.After(stopTimeout):
		_ = c.cmd.Process.Kill()
		err = <-c.waited
	}
	return errors.Join(err, c.log.Close())
}

// startChild re-executes this binary as a child server and waits until it
// says where it listens.
func startChild(ctx context.Context, spec childSpec, logPath string) (*service, error) {
	c, stdout, err := launch(spec, logPath)
	if err != nil {
		return nil, fmt.Errorf("start %s child: %w", spec.Kind, err)
	}
	lines := make(chan listening, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			var l listening
			if json.Unmarshal(sc.Bytes(), &l) == nil && l.Addr != "" {
				lines <- l
			}
		}
		c.waited <- c.cmd.Wait()
	}()
	select {
	case l := <-lines:
		return &service{URL: "http://" + l.Addr, PprofURL: l.Pprof, PID: c.cmd.Process.Pid, stop: c.stop}, nil
	case err := <-c.waited:
		c.log.Close()
		return nil, fmt.Errorf("%s child exited before listening (%v); see %s", spec.Kind, err, logPath)
	case <-time.After(startTimeout):
	case <-ctx.Done():
	}
	_ = c.cmd.Process.Kill()
	<-c.waited
	c.log.Close()
	return nil, fmt.Errorf("%s child did not listen in time; see %s", spec.Kind, logPath)
}

// startInProcess runs the service in this process.
func startInProcess(ctx context.Context, spec childSpec, logPath string) (*service, error) {
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	ready := make(chan listening, 1)
	done := make(chan error, 1)
	go func() { done <- serve(ctx, spec, logFile, func(l listening) { ready <- l }) }()
	select {
	case l := <-ready:
		stop := func() error {
			cancel()
			err := <-done
			return errors.Join(err, logFile.Close())
		}
		return &service{URL: "http://" + l.Addr, PID: os.Getpid(), stop: stop}, nil
	case err := <-done:
		cancel()
		logFile.Close()
		return nil, fmt.Errorf("in-process %s: %w", spec.Kind, err)
	}
}
