package report

import (
	"encoding/json"
	"io"

	"github.com/emmdev/emmdev/internal/lint/finding"
)

type jsonReport struct {
	Version  string            `json:"version,omitempty"`
	Objects  int               `json:"objects"`
	Files    int               `json:"files"`
	Summary  finding.Counts    `json:"summary"`
	Findings []finding.Finding `json:"findings"`
}

func writeJSON(w io.Writer, in Input) error {
	fs := in.Findings
	if fs == nil {
		fs = []finding.Finding{} // "findings": [] rather than null for consumers
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(jsonReport{Version: in.Version, Objects: in.Objects, Files: in.Files, Summary: finding.Count(fs), Findings: fs})
}

func writeGitHub(w io.Writer, in Input) error {
	for _, f := range in.Findings {
		level := "error"
		switch f.Severity {
		case finding.Warning:
			level = "warning"
		case finding.Info:
			level = "notice"
		}
		title := f.RuleID + " " + f.Object
		if _, err := io.WriteString(w, "::"+level+" file="+ghProp(f.File)+",line="+itoa(max(f.Line, 1))+",col="+itoa(max(f.Col, 1))+
			",title="+ghProp(title)+"::"+ghData(f.Message+" (fix: "+f.Remediation+")")+"\n"); err != nil {
			return err
		}
	}
	return nil
}
