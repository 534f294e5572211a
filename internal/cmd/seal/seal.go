// Package seal wires the `emmdev seal` subcommand: flags into Options, then Run.
package seal

import (
	"errors"

	"github.com/spf13/cobra"

	"github.com/emmdev/emmdev/internal/cmdutil"
)

// Options holds everything `emmdev seal` needs; flags are parsed into it and
// Run acts on it, so both can be tested apart.
type Options struct {
	IO cmdutil.IOStreams
}

// NewCmd builds the command. runF replaces Run in tests (nil for the real one).
func NewCmd(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{IO: f.Streams}
	return &cobra.Command{
		Use:   "seal",
		Short: "TODO: not implemented yet",
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return Run(opts)
		},
	}
}

// Run is not implemented yet.
func Run(_ *Options) error { return errors.New("seal: not implemented") }
