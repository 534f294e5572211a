// Package cmdutil holds what every emmdev subcommand shares: injected IO
// streams, typed exit errors and the factory that hands out dependencies.
package cmdutil

import (
	"bytes"
	"io"
	"os"

	"golang.org/x/term"
)

// IOStreams are the streams a command reads and writes. Commands never touch
// os.Stdout/os.Stderr directly so tests can capture everything they print.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	// OutIsTTY and ErrIsTTY decide colour and live rendering.
	OutIsTTY bool
	ErrIsTTY bool
	InIsTTY  bool
	// NoColor is set when NO_COLOR is present in the environment.
	NoColor bool
	// Getenv reads the environment; injected so tests control it.
	Getenv func(string) string
}

// SystemStreams returns the process's real streams.
func SystemStreams() IOStreams {
	return IOStreams{
		In:       os.Stdin,
		Out:      os.Stdout,
		ErrOut:   os.Stderr,
		OutIsTTY: term.IsTerminal(int(os.Stdout.Fd())),
		ErrIsTTY: term.IsTerminal(int(os.Stderr.Fd())),
		InIsTTY:  term.IsTerminal(int(os.Stdin.Fd())),
		NoColor:  os.Getenv("NO_COLOR") != "",
		Getenv:   os.Getenv,
	}
}

// TestStreams returns streams backed by buffers, with no TTY and an empty
// environment, plus the buffers for assertions.
func TestStreams() (IOStreams, *bytes.Buffer, *bytes.Buffer, *bytes.Buffer) {
	in, out, errOut := &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	return IOStreams{
		In:     in,
		Out:    out,
		ErrOut: errOut,
		Getenv: func(string) string { return "" },
	}, in, out, errOut
}

// ColorOut reports whether colour may be written to Out.
func (s IOStreams) ColorOut() bool { return s.OutIsTTY && !s.NoColor }

// ColorErr reports whether colour may be written to ErrOut.
func (s IOStreams) ColorErr() bool { return s.ErrIsTTY && !s.NoColor }

// Env reads an environment variable through the injected getter.
func (s IOStreams) Env(key string) string {
	if s.Getenv == nil {
		return ""
	}
	return s.Getenv(key)
}
