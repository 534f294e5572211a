package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"slices"

	"github.com/emmdev/emmdev/internal/lint/finding"
)

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
}

// junitSkipped carries a warning or info finding: CI dashboards show it
// with its message without counting the build as failed.
type junitSkipped struct {
	Message string `xml:"message,attr"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// writeJUnit makes one suite per file and one test case per finding: an
// error is a failure, a warning or info a skipped case with its message
// (it does not fail the build unless --fail-on says so); a clean run is a
// single passing case so CI dashboards show that lint ran.
func writeJUnit(w io.Writer, in Input) error {
	byFile := map[string][]junitCase{}
	var files []string
	for _, f := range in.Findings {
		if _, ok := byFile[f.File]; !ok {
			files = append(files, f.File)
		}
		c := junitCase{
			Name:      fmt.Sprintf("%s %s line %d", f.RuleID, f.Object, f.Line),
			Classname: f.File,
		}
		if f.Severity == finding.Error {
			c.Failure = &junitFailure{
				Message: f.Message, Type: f.Severity.String(),
				Text: fmt.Sprintf("%s: %s [%s] %s\nfix: %s", location(f), f.Severity, f.RuleID, f.Message, f.Remediation),
			}
		} else {
			c.Skipped = &junitSkipped{Message: fmt.Sprintf("%s: %s [%s] %s", location(f), f.Severity, f.RuleID, f.Message)}
		}
		byFile[f.File] = append(byFile[f.File], c)
	}
	slices.Sort(files)
	out := junitSuites{Name: "emmdev lint", Tests: len(in.Findings)}
	for _, file := range files {
		cs := byFile[file]
		s := junitSuite{Name: file, Tests: len(cs), Cases: cs}
		for _, c := range cs {
			if c.Failure != nil {
				s.Failures++
			} else {
				s.Skipped++
			}
		}
		out.Failures += s.Failures
		out.Skipped += s.Skipped
		out.Suites = append(out.Suites, s)
	}
	if len(in.Findings) == 0 {
		out.Tests = 1
		out.Suites = []junitSuite{{Name: "emmdev lint", Tests: 1, Cases: []junitCase{{
			Name: fmt.Sprintf("%d objects in %d files", in.Objects, in.Files), Classname: "emmdev.lint",
		}}}}
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
