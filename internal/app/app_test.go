package app

import (
	"context"
	"strings"
	"testing"

	"github.com/emmdev/emmdev/internal/cmdutil"
)

func run(t *testing.T, ctx context.Context, args ...string) (code int, out, errOut string) {
	t.Helper()
	streams, _, o, e := cmdutil.TestStreams()
	code = Run(ctx, args, cmdutil.NewFactory(streams, "v9.9.9-test"))
	return code, o.String(), e.String()
}

func TestExitCodesAndMessages(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		args     []string
		code     int
		errHas   string
		outHas   string
		errEmpty bool
	}{
		{name: "version", args: []string{"version"}, code: 0, outHas: "emmdev v9.9.9-test ", errEmpty: true},
		{name: "help", args: []string{"--help"}, code: 0, outHas: "Exit codes: 0 ok, 1 findings", errEmpty: true},
		{name: "unknown command", args: []string{"bogus"}, code: 2, errHas: `emmdev: unknown command "bogus"`},
		{name: "unknown flag points at the subcommand's help", args: []string{"lint", "--bogus"}, code: 2,
			errHas: "emmdev: unknown flag: --bogus\nRun 'emmdev lint --help' for usage."},
		{name: "usage error from Run points at its command", args: []string{"status", "--once", "-A", "-n", "x"}, code: 2,
			errHas: "Run 'emmdev status --help' for usage."},
		{name: "completion script", args: []string{"completion", "bash"}, code: 0, outHas: "bash completion", errEmpty: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := run(t, context.Background(), tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tc.code, out, errOut)
			}
			if tc.outHas != "" && !strings.Contains(out, tc.outHas) {
				t.Errorf("stdout lacks %q:\n%s", tc.outHas, out)
			}
			if tc.errHas != "" && !strings.Contains(errOut, tc.errHas) {
				t.Errorf("stderr lacks %q:\n%s", tc.errHas, errOut)
			}
			if tc.errEmpty && errOut != "" {
				t.Errorf("stderr not empty: %s", errOut)
			}
			if strings.Count(errOut, "emmdev: ") > 1 {
				t.Errorf("error printed more than once:\n%s", errOut)
			}
		})
	}
}

func TestInterruptedIs130(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	code, _, errOut := run(t, ctx, "version")
	if code != cmdutil.ExitInterrupted {
		t.Errorf("exit %d, want %d", code, cmdutil.ExitInterrupted)
	}
	if !strings.Contains(errOut, "interrupted") {
		t.Errorf("stderr = %q, want it to say interrupted", errOut)
	}
}
