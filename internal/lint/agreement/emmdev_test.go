package agreement_test

import (
	"context"
	"os"
	"path/filepath"

	"github.com/emmdev/emmdev/internal/lint"
	"github.com/emmdev/emmdev/internal/lint/agreement"
	"github.com/emmdev/emmdev/internal/lint/finding"
	"github.com/emmdev/emmdev/internal/lint/loader"
	"github.com/emmdev/emmdev/internal/lint/policy"
	"github.com/emmdev/emmdev/internal/lint/rules"
)

// emmdevLint is `emmdev lint testdata/crds/ CASE` in-process, with the EMM
// policy rules switched off: what is left are the API-level rules
// (agreement.ClassOf), whose errors say "the API server will reject this".
type emmdevLint struct {
	reg  *rules.Registry
	pol  *policy.Policy
	crds []string
}

func newEmmdevLint(crds []string) (*emmdevLint, error) {
	reg, err := rules.Default()
	if err != nil {
		return nil, err
	}
	pol := policy.Defaults(reg)
	for id, rc := range pol.Rules {
		if agreement.ClassOf(id) == agreement.Policy {
			rc.Enabled = false
			pol.Rules[id] = rc
		}
	}
	pol.Source = "agreement suite: API-level rules only"
	return &emmdevLint{reg: reg, pol: pol, crds: crds}, nil
}

// lint returns emmdev's verdict on file: reject when the run fails (the
// CLI's exit 2: unreadable YAML, an aborted run) or an API-level rule
// reports an error on the file itself.
func (e *emmdevLint) lint(ctx context.Context, file string) agreement.Outcome {
	inputs := []loader.Input{fileInput(file)}
	for _, c := range e.crds {
		if c != file {
			inputs = append(inputs, fileInput(c))
		}
	}
	res, err := lint.Run(ctx, lint.Config{Inputs: inputs, Registry: e.reg, Policy: e.pol})
	if err != nil {
		return agreement.Outcome{Verdict: agreement.Reject, Message: err.Error()}
	}
	out := agreement.Outcome{Verdict: agreement.Accept}
	for _, f := range res.Findings {
		if f.File != file || f.Severity < finding.Error || agreement.ClassOf(f.RuleID) == agreement.Policy {
			continue
		}
		out.Verdict = agreement.Reject
		out.Findings = append(out.Findings, agreement.Finding{Rule: f.RuleID, Path: f.Path, Line: f.Line, Col: f.Col, Message: f.Message})
	}
	return out
}

func fileInput(path string) loader.Input {
	return loader.Input{Name: path, Read: func(int64) ([]byte, error) { return os.ReadFile(filepath.Clean(path)) }}
}
