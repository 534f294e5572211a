package cluster

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"sigs.k8s.io/kind/pkg/apis/config/v1alpha4"
	kind "sigs.k8s.io/kind/pkg/cluster"

	"github.com/emmdev/emmdev/internal/progress"
)

// Creator runs kind's create for Ensure. kind's create takes no context and
// runs one docker command after another for a minute or more, so how it
// stops on Ctrl-C depends on where it runs: see CreateInProcess and
// ExecCreate.
type Creator func(ctx context.Context, p *progress.Printer, plan *Plan, o EnsureOptions) error

func kindCreate(rt Runtime, name string, cfg *v1alpha4.Cluster, o EnsureOptions) error {
	return rt.Create(name,
		kind.CreateWithV1Alpha4Config(cfg),
		kind.CreateWithWaitForReady(o.WaitForReady),
		kind.CreateWithKubeconfigPath(o.Kubeconfig),
		kind.CreateWithDisplayUsage(false),
		kind.CreateWithDisplaySalutation(false),
	)
}

// CreateInProcess runs kind in this process. Nothing can stop it there, so
// on cancellation it says so, waits for kind to finish (a second Ctrl-C
// kills the process, Main restored the default handling), deletes what kind
// made and returns ctx.Err(). The real binary uses ExecCreate instead.
func CreateInProcess(ctx context.Context, p *progress.Printer, plan *Plan, o EnsureOptions) error {
	done := make(chan error, 1)
	go func() { done <- kindCreate(plan.Runtime, plan.Name, plan.Config, o) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	p.Info("finishing kind's step, Ctrl-C again to abort")
	if err := <-done; err == nil {
		p.Info("removing the cluster %q kind just made, as asked", plan.Name)
		if err := plan.Runtime.Delete(plan.Name, o.Kubeconfig); err != nil {
			return errors.Join(ctx.Err(), fmt.Errorf("removing cluster %q: %w (run `emmdev down`)", plan.Name, err))
		}
	}
	return ctx.Err()
}

// CreateChildCommand is the hidden first argument that makes emmdev run
// RunCreateChild (dispatched by app.Main before the command tree).
const CreateChildCommand = "__kind-create"

// ExecCreate runs kind in a child emmdev (exe, the running binary) in a
// process group of its own, so that an interrupt can stop the docker
// command kind is waiting on: the child and everything it started get
// SIGTERM, kind fails its step, and the child deletes what was made. This
// process returns within 1.5 s of the interrupt; a child still cleaning up
// by then finishes in the background.
func ExecCreate(exe string) Creator {
	return func(ctx context.Context, p *progress.Printer, plan *Plan, o EnsureOptions) error {
		cmd := exec.Command(exe, CreateChildCommand,
			"-name", plan.Name, "-kubeconfig", o.Kubeconfig, "-wait", o.WaitForReady.String())
		cmd.Stdin = bytes.NewReader(plan.Rendered)
		lw := &lineWriter{line: func(s string) { p.Detail("kind: %s", s) }}
		cmd.Stderr = lw
		cmd.SysProcAttr = ownProcessGroup()
		if err := cmd.Start(); err != nil {
			return fmt.Errorf("starting kind: %w", err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				if last := lw.lastError(); last != "" {
					return errors.New(last)
				}
				return fmt.Errorf("kind: %w", err)
			}
			return nil
		case <-ctx.Done():
		}
		p.Info("interrupted: stopping kind, which removes what it made of cluster %q", plan.Name)
		_ = signalGroup(cmd.Process.Pid)
		select {
		case err := <-done:
			if err != nil {
				p.Detail("kind stopped: %v", err)
			}
		case <-time.After(1500 * time.Millisecond):
			p.Info("kind is still removing cluster %q in the background (pid %d); `emmdev down` removes anything left", plan.Name, cmd.Process.Pid)
		}
		return ctx.Err()
	}
}

// RunCreateChild is the child side of ExecCreate: it reads the effective
// config from stdin and runs kind's create, logging kind's lines to stderr
// and ending with "error: ..." on failure. On SIGTERM or SIGINT it keeps
// running itself but stops every process of its group (the docker commands
// kind runs) until kind gives up, then deletes the cluster. Exit codes: 0
// created, 1 failed, 2 usage, 130 stopped.
func RunCreateChild(args []string, stdin io.Reader, stderr io.Writer) int {
	sigs := make(chan os.Signal, 16)
	// SIGPIPE too: the parent may be gone while kind still logs.
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGPIPE)
	defer signal.Stop(sigs)
	fs := flag.NewFlagSet(CreateChildCommand, flag.ContinueOnError)
	fs.SetOutput(stderr)
	name := fs.String("name", "", "cluster name")
	kubeconfig := fs.String("kubeconfig", "", "kubeconfig file")
	wait := fs.Duration("wait", 0, "kind's wait for the control plane")
	if err := fs.Parse(args); err != nil || *name == "" {
		fmt.Fprintln(stderr, "error: usage: emmdev "+CreateChildCommand+" -name NAME [-kubeconfig FILE] [-wait D] < config")
		return 2
	}
	data, err := io.ReadAll(stdin)
	if err != nil {
		fmt.Fprintf(stderr, "error: reading the config: %v\n", err)
		return 2
	}
	cfg, err := ParseConfig("effective kind config", data)
	if err != nil {
		fmt.Fprintf(stderr, "error: %v\n", err)
		return 2
	}
	rt, err := Detect(Logger{W: stderr})
	if err != nil {
		fmt.Fprintf(stderr, "error: %v\n", err)
		return 1
	}
	done := make(chan error, 1)
	go func() {
		done <- kindCreate(rt, *name, cfg, EnsureOptions{Kubeconfig: *kubeconfig, WaitForReady: *wait})
	}()
	var tick <-chan time.Time
	var ticker *time.Ticker
	defer func() {
		if ticker != nil {
			ticker.Stop()
		}
	}()
	stopped := false
	for {
		select {
		case err := <-done:
			if stopped {
				// kind's own cleanup was stopped with everything else.
				if err := rt.Delete(*name, *kubeconfig); err != nil {
					fmt.Fprintf(stderr, "error: removing the half-made cluster %q: %v\n", *name, err)
					return 1
				}
				return 130
			}
			if err != nil {
				fmt.Fprintf(stderr, "error: %v\n", strings.TrimSpace(err.Error()))
				return 1
			}
			return 0
		case s := <-sigs:
			if stopped || s == syscall.SIGPIPE {
				continue
			}
			stopped = true
			ticker = time.NewTicker(50 * time.Millisecond)
			tick = ticker.C
			stopOwnGroup()
		case <-tick:
			// kind starts the next docker command right after the last one
			// died; keep stopping them until kind returns.
			stopOwnGroup()
		}
	}
}

// lineWriter turns the child's stderr into lines and remembers the last
// "error: " line, which is the reason the child failed.
type lineWriter struct {
	mu   sync.Mutex
	buf  []byte
	line func(string)
	last string
}

func (w *lineWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, b...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			return len(b), nil
		}
		s := strings.TrimSpace(string(w.buf[:i]))
		w.buf = w.buf[i+1:]
		if rest, ok := strings.CutPrefix(s, "error: "); ok {
			w.last = rest
			continue
		}
		if s != "" {
			w.line(s)
		}
	}
}

func (w *lineWriter) lastError() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.last
}
