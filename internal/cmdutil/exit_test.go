package cmdutil

import (
	"context"
	"errors"
	"fmt"
	"testing"
)

func TestExitCode(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		err  error
		want int
	}{
		{"nil", nil, ExitOK},
		{"findings, wrapped", fmt.Errorf("lint: %w", &FindingsError{Summary: "3 errors"}), ExitFindings},
		{"bare findings", ErrFindings, ExitFindings},
		{"usage", Usagef("bad flag %q", "x"), ExitFailure},
		{"silent failure", ErrSilent, ExitFailure},
		{"tool failure", errors.New("open x: permission denied"), ExitFailure},
		{"cancelled, wrapped", fmt.Errorf("waiting: %w", context.Canceled), ExitInterrupted},
	}
	for _, tc := range cases {
		if got := ExitCode(tc.err); got != tc.want {
			t.Errorf("%s: ExitCode = %d, want %d", tc.name, got, tc.want)
		}
	}
}

func TestColourOnlyOnATerminalWithoutNoColor(t *testing.T) {
	t.Parallel()
	s := IOStreams{OutIsTTY: true, ErrIsTTY: false}
	if !s.ColorOut() || s.ColorErr() {
		t.Errorf("ColorOut=%v ColorErr=%v, want true/false", s.ColorOut(), s.ColorErr())
	}
	s.NoColor = true
	if s.ColorOut() {
		t.Error("NO_COLOR set: ColorOut must be false")
	}
}
