// Package app wires the emmdev command tree and turns a command's error into
// exactly one printed message and a typed exit code.
package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/emmdev/emmdev/internal/cluster"
	"github.com/emmdev/emmdev/internal/cmdutil"
)

// Main runs emmdev with args (without the program name) and returns the exit
// code. It is the only place that decides how an error is shown.
func Main(args []string, streams cmdutil.IOStreams) int {
	// kind's create runs in a child emmdev (cluster.ExecCreate) that keeps
	// its own signal handling, so it is dispatched before any is set up.
	if len(args) > 0 && args[0] == cluster.CreateChildCommand {
		return cluster.RunCreateChild(args[1:], streams.In, streams.ErrOut)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// The first signal cancels ctx so commands can stop cleanly; after that the
	// default handling is restored, so a second Ctrl-C kills a command stuck
	// in a read that ignores ctx (e.g. `emmdev lint -` waiting on a terminal).
	go func() {
		<-ctx.Done()
		stop()
	}()
	return Run(ctx, args, cmdutil.NewFactory(streams, Version()))
}

// Run executes the command tree with an explicit context and factory; tests
// call it directly.
func Run(ctx context.Context, args []string, f *cmdutil.Factory) int {
	root := NewRootCmd(f)
	root.SetArgs(args)
	root.SetIn(f.Streams.In)
	root.SetOut(f.Streams.Out)
	root.SetErr(f.Streams.ErrOut)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil && ctx.Err() != nil {
		err = ctx.Err()
	}
	path := root.Name()
	if cmd != nil {
		path = cmd.CommandPath()
	}
	printError(f.Streams, path, err)
	return cmdutil.ExitCode(err)
}

// printError prints err once; a usage error points at the help of the
// command that failed (cmdPath), not the root's.
func printError(s cmdutil.IOStreams, cmdPath string, err error) {
	var usage *cmdutil.UsageError
	switch {
	case err == nil, errors.Is(err, cmdutil.ErrFindings), errors.Is(err, cmdutil.ErrSilent):
		return
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(s.ErrOut, "emmdev: interrupted")
	case errors.As(err, &usage):
		fmt.Fprintf(s.ErrOut, "emmdev: %v\nRun '%s --help' for usage.\n", err, cmdPath)
	default:
		fmt.Fprintf(s.ErrOut, "emmdev: %v\n", err)
	}
}
