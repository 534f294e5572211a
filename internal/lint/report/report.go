// Package report writes lint findings in the formats CI systems and humans
// read: text, json, sarif (2.1.0), junit and github workflow commands.
package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/emmdev/emmdev/internal/lint/finding"
	"github.com/emmdev/emmdev/internal/lint/rules"
)

// Formats returns the accepted --format values.
func Formats() []string { return []string{"text", "json", "sarif", "junit", "github"} }

// Input is everything a format may show.
type Input struct {
	Findings []finding.Finding
	Rules    []*rules.Rule // every known rule, for SARIF's rule table
	Objects  int
	Files    int
	Version  string
	Color    bool
}

// Write renders in to w in the named format.
func Write(w io.Writer, format string, in Input) error {
	switch format {
	case "text":
		return writeText(w, in)
	case "json":
		return writeJSON(w, in)
	case "sarif":
		return writeSARIF(w, in)
	case "junit":
		return writeJUnit(w, in)
	case "github":
		return writeGitHub(w, in)
	}
	return fmt.Errorf("unknown format %q (want %s)", format, strings.Join(Formats(), ", "))
}

// Summary is the one-line tally shown after text output.
func Summary(in Input) string {
	c := finding.Count(in.Findings)
	return fmt.Sprintf("%s, %s, %s in %s (%s)",
		plural(c.Errors, "error"), plural(c.Warnings, "warning"), plural(c.Infos, "info"),
		plural(in.Objects, "object"), plural(in.Files, "file"))
}

func plural(n int, word string) string {
	if n == 1 || word == "info" {
		return fmt.Sprintf("%d %s", n, word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}
