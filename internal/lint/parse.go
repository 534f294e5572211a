package lint

import (
	"github.com/emmdev/emmdev/internal/lint/finding"
	"github.com/emmdev/emmdev/internal/lint/loader"
)

// ParseRule is the ID of the finding a file that cannot be read or parsed
// becomes. It is always an error: a file nobody could lint must never look
// like a pass (fail closed), and the rest of the tree is still linted.
const ParseRule = "parse"

// parseFindings turns located load failures into findings, so every output
// format carries them like any other problem.
func parseFindings(cfg Config, errs []*loader.Error) []finding.Finding {
	remediation := ""
	if r, ok := cfg.Registry.Get(ParseRule); ok {
		remediation = r.Remediation
	}
	out := make([]finding.Finding, 0, len(errs))
	for _, e := range errs {
		out = append(out, finding.Finding{
			File: e.File, Line: e.Line, Col: e.Col,
			RuleID: ParseRule, Severity: finding.Error,
			Message: e.Msg, Remediation: remediation,
		})
	}
	return out
}
