package cmdutil

import (
	"os"
)

// Factory hands dependencies to subcommands. Fields are functions or values
// so tests can replace any of them; there is no package-level state.
type Factory struct {
	Streams IOStreams
	// Version is the emmdev version string shown by `emmdev version`.
	Version string
	// WorkDir returns the directory relative paths resolve against.
	WorkDir func() (string, error)
	// Executable returns the path of the running emmdev binary, for work
	// run in a child process (kind's create, so Ctrl-C can stop it); nil
	// in tests, which run everything in-process.
	Executable func() (string, error)
}

// NewFactory returns a factory wired to the real process environment.
func NewFactory(streams IOStreams, version string) *Factory {
	return &Factory{
		Streams:    streams,
		Version:    version,
		WorkDir:    os.Getwd,
		Executable: os.Executable,
	}
}
