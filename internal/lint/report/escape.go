package report

import (
	"strconv"
	"strings"
)

func itoa(i int) string { return strconv.Itoa(i) }

// ghData escapes a workflow command message (actions/toolkit escapeData).
func ghData(s string) string {
	return EscapeText(strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s))
}

// ghProp escapes a workflow command property (actions/toolkit escapeProperty).
func ghProp(s string) string {
	return EscapeText(strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s))
}

// EscapeText makes a name, path or message safe for one line of terminal
// text: control characters (newlines, carriage returns, ANSI escapes) are
// written as Go escapes, so a crafted object name cannot start a line of
// its own (a forged finding or a GitHub ::error command) or recolour the
// terminal.
func EscapeText(s string) string {
	if !strings.ContainsFunc(s, isControl) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if isControl(r) {
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func isControl(r rune) bool {
	return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\u2028' || r == '\u2029'
}
