package app

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/emmdev/emmdev/internal/cmdutil"
)

// Version reports the module version stamped by the Go toolchain (a tag when
// installed with `go install ...@vX`, "(devel)" from a checkout) plus the VCS
// revision when it is known.
func Version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := info.Main.Version
	if v == "" {
		v = "(devel)"
	}
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v += " " + s.Value[:12]
		}
	}
	return v
}

func newVersionCmd(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the emmdev version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintf(f.Streams.Out, "emmdev %s %s/%s %s\n",
				f.Version, runtime.GOOS, runtime.GOARCH, runtime.Version())
			return err
		},
	}
}
