package agreement

import (
	"context"
	"os"
	"path/filepath"

	"github.com/emmdev/emmdev/internal/lint"
	"github.com/emmdev/emmdev/internal/lint/finding"
	"github.com/emmdev/emmdev/internal/lint/loader"
	"github.com/emmdev/emmdev/internal/lint/policy"
	"github.com/emmdev/emmdev/internal/lint/rules"
)

// Linter is `emmdev lint CRDS... FILE` in-process with the EMM policy rules
// switched off: what is left are the API-level rules (ClassOf), whose
// errors say "the API server will reject this".
type Linter struct {
	reg  *rules.Registry
	pol  *policy.Policy
	crds []string
}

// NewLinter lints with the default rules; crds are the rest of the tree
// (the CRDs a custom resource needs), given as context the way
// `emmdev lint --staged` gives the unstaged tree: they feed CRDs, and are
// not linted themselves.
func NewLinter(crds []string) (*Linter, error) {
	reg, err := rules.Default()
	if err != nil {
		return nil, err
	}
	pol := policy.Defaults(reg)
	for id, rc := range pol.Rules {
		if ClassOf(id) == Policy {
			rc.Enabled = false
			pol.Rules[id] = rc
		}
	}
	pol.Source = "agreement suite: API-level rules only"
	return &Linter{reg: reg, pol: pol, crds: crds}, nil
}

// Lint returns emmdev's verdict on file: reject when the run fails (the
// CLI's exit 2: unreadable YAML, an aborted run) or an API-level rule
// reports an error on the file itself.
func (e *Linter) Lint(ctx context.Context, file string) Outcome {
	var context []loader.Input
	for _, c := range e.crds {
		if c != file {
			context = append(context, fileInput(c))
		}
	}
	res, err := lint.Run(ctx, lint.Config{Inputs: []loader.Input{fileInput(file)}, ContextInputs: context, Registry: e.reg, Policy: e.pol})
	if err != nil {
		return Outcome{Verdict: Reject, Message: err.Error()}
	}
	out := Outcome{Verdict: Accept}
	for _, f := range res.Findings {
		if f.File != file || f.Severity < finding.Error || ClassOf(f.RuleID) == Policy {
			continue
		}
		out.Verdict = Reject
		out.Findings = append(out.Findings, Finding{Rule: f.RuleID, Path: f.Path, Line: f.Line, Col: f.Col, Message: f.Message})
	}
	return out
}

func fileInput(path string) loader.Input {
	return loader.Input{Name: path, Read: func(int64) ([]byte, error) { return os.ReadFile(filepath.Clean(path)) }}
}
