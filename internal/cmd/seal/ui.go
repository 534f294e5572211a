package seal

import (
	"fmt"

	"github.com/emmdev/emmdev/internal/cmdutil"
)

// ui prints kind-style status lines on stderr, coloured only on a TTY
// without NO_COLOR, so stdout stays clean for the sealed output.
type ui struct{ io cmdutil.IOStreams }

func newUI(io cmdutil.IOStreams) *ui { return &ui{io: io} }

func (u *ui) mark(ok bool) string {
	sym, color := "✓", "\x1b[32m"
	if !ok {
		sym, color = "✗", "\x1b[31m"
	}
	if u.io.ColorErr() {
		return color + sym + "\x1b[0m"
	}
	return sym
}

func (u *ui) ok(format string, a ...any) {
	fmt.Fprintf(u.io.ErrOut, " %s %s\n", u.mark(true), fmt.Sprintf(format, a...))
}

func (u *ui) fail(format string, a ...any) {
	fmt.Fprintf(u.io.ErrOut, " %s %s\n", u.mark(false), fmt.Sprintf(format, a...))
}

func (u *ui) info(format string, a ...any) {
	fmt.Fprintf(u.io.ErrOut, "   %s\n", fmt.Sprintf(format, a...))
}
