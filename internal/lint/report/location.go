package report

import (
	"strconv"

	"github.com/emmdev/emmdev/internal/lint/finding"
)

// location is file:line:col, or less when the position is unknown (a file
// that cannot be read has no line), with the file name escaped.
func location(f finding.Finding) string {
	loc := EscapeText(f.File)
	if f.Line > 0 {
		loc += ":" + strconv.Itoa(f.Line)
		if f.Col > 0 {
			loc += ":" + strconv.Itoa(f.Col)
		}
	}
	return loc
}

// subject is "Object: message", or the message alone for findings on a
// file rather than an object (parse).
func subject(f finding.Finding) string {
	if f.Object == "" {
		return f.Message
	}
	return f.Object + ": " + f.Message
}
