package report

import (
	"bufio"
	"fmt"
	"io"

	"github.com/emmdev/emmdev/internal/lint/finding"
)

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiDim    = "\x1b[2m"
	ansiRed    = "\x1b[31m"
	ansiYellow = "\x1b[33m"
	ansiBlue   = "\x1b[34m"
)

// writeText prints one finding per line in the file:line:col: form editors
// jump to, with the fix indented below, then a summary.
func writeText(w io.Writer, in Input) error {
	bw := bufio.NewWriter(w)
	paint := func(code, s string) string {
		if !in.Color {
			return s
		}
		return code + s + ansiReset
	}
	for _, f := range in.Findings {
		sev := f.Severity.String()
		switch f.Severity {
		case finding.Error:
			sev = paint(ansiRed+ansiBold, sev)
		case finding.Warning:
			sev = paint(ansiYellow+ansiBold, sev)
		default:
			sev = paint(ansiBlue, sev)
		}
		fmt.Fprintf(bw, "%s: %s [%s] %s\n", location(f), sev, f.RuleID, EscapeText(subject(f)))
		if f.Remediation != "" {
			fmt.Fprintf(bw, "    %s\n", paint(ansiDim, "fix: "+EscapeText(f.Remediation)))
		}
	}
	mark := paint("\x1b[32m", "✓")
	switch c := finding.Count(in.Findings); {
	case c.Errors > 0:
		mark = paint(ansiRed, "✗")
	case c.Warnings > 0:
		mark = paint(ansiYellow, "⚠") // warnings only: not a failure unless --fail-on warning
	}
	fmt.Fprintf(bw, "%s %s\n", mark, Summary(in))
	return bw.Flush()
}
