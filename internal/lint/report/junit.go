package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"slices"
)

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// writeJUnit makes one suite per file and one failed test case per finding;
// a clean run is a single passing case so CI dashboards show that lint ran.
func writeJUnit(w io.Writer, in Input) error {
	byFile := map[string][]junitCase{}
	var files []string
	for _, f := range in.Findings {
		if _, ok := byFile[f.File]; !ok {
			files = append(files, f.File)
		}
		byFile[f.File] = append(byFile[f.File], junitCase{
			Name:      fmt.Sprintf("%s %s line %d", f.RuleID, f.Object, f.Line),
			Classname: f.File,
			Failure: &junitFailure{
				Message: f.Message, Type: f.Severity.String(),
				Text: fmt.Sprintf("%s:%d:%d: %s [%s] %s\nfix: %s", f.File, f.Line, f.Col, f.Severity, f.RuleID, f.Message, f.Remediation),
			},
		})
	}
	slices.Sort(files)
	out := junitSuites{Name: "emmdev lint", Tests: len(in.Findings), Failures: len(in.Findings)}
	for _, file := range files {
		cs := byFile[file]
		out.Suites = append(out.Suites, junitSuite{Name: file, Tests: len(cs), Failures: len(cs), Cases: cs})
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
