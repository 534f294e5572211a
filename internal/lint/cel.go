package lint

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/runtime"

	"github.com/emmdev/emmdev/internal/celpolicy"
	"github.com/emmdev/emmdev/internal/lint/finding"
	"github.com/emmdev/emmdev/internal/lint/loader"
)

// celChecks runs the custom CEL rules (cfg.CEL) on each object with the
// API server's admission libraries. Rules it cannot judge offline are
// counted and reported as notices, never skipped silently.
type celChecks struct {
	ctx context.Context
	cfg Config
	ev  *celpolicy.Evaluator

	mu        sync.Mutex
	notJudged map[[2]string]int // rule id, reason → objects
}

// newCELChecks prepares the evaluator with what the linted tree tells
// about the cluster: the CRDs' resources and the Namespaces' labels. It
// returns nil when there are no custom rules.
func newCELChecks(ctx context.Context, cfg Config, sets ...[]*loader.Object) *celChecks {
	if cfg.CEL == nil {
		return nil
	}
	res := celpolicy.NewResources()
	var namespaces []map[string]any
	for _, set := range sets {
		for _, o := range set {
			switch {
			case o.Kind == "CustomResourceDefinition" && strings.HasPrefix(o.APIVersion, "apiextensions.k8s.io/"):
				res.AddCRD(o.Obj)
			case o.Kind == "Namespace" && o.APIVersion == "v1":
				namespaces = append(namespaces, o.Obj)
			}
		}
	}
	ev := cfg.CEL.NewEvaluator(celpolicy.EvalOptions{
		Enabled:    func(id string) bool { return cfg.Policy.Rules[id].Enabled },
		Resources:  res,
		Namespaces: namespaces,
	})
	if len(ev.Rules()) == 0 {
		return nil
	}
	return &celChecks{ctx: ctx, cfg: cfg, ev: ev, notJudged: map[[2]string]int{}}
}

// celRulesRun reports whether newCELChecks will have rules to run: custom
// (not built-in) rules the policy leaves on.
func celRulesRun(cfg Config) bool {
	if cfg.CEL == nil {
		return false
	}
	for _, r := range cfg.CEL.Rules {
		if !r.Builtin && cfg.Policy.Rules[r.ID].Enabled {
			return true
		}
	}
	return false
}

// check returns the findings of the CEL rules on o: the message is the one
// the cluster gives, the position the field the rule reads.
// decoded is the object as the API server's validation decoded it (nil:
// the evaluator decodes it).
func (c *celChecks) check(o *loader.Object, decoded runtime.Object) []finding.Finding {
	if c == nil {
		return nil
	}
	var out []finding.Finding
	for _, v := range c.ev.EvaluateDecoded(c.ctx, o.Obj, decoded) {
		if v.NotJudged != "" {
			c.mu.Lock()
			c.notJudged[[2]string{v.Rule.ID, v.NotJudged}]++
			c.mu.Unlock()
			continue
		}
		path := celpolicy.FindingPath(o.Obj, v.Paths, v.Message)
		line, col := o.Pos(path...)
		remediation := v.Rule.Remediation
		if r, ok := c.cfg.Registry.Get(v.Rule.ID); ok && r.Remediation != "" {
			remediation = r.Remediation
		}
		out = append(out, finding.Finding{
			File: o.File, Line: line, Col: col,
			RuleID: v.Rule.ID, Severity: c.cfg.Policy.Rules[v.Rule.ID].Severity,
			Object: o.Ref(), Path: path, Message: v.Message, Remediation: remediation,
		})
	}
	return out
}

// notices says which rules were not judged on how many objects, and why.
func (c *celChecks) notices() []string {
	if c == nil {
		return nil
	}
	var out []string
	for k, n := range c.notJudged {
		objects := "objects"
		if n == 1 {
			objects = "object"
		}
		out = append(out, fmt.Sprintf("rule %s was not judged offline on %d %s: it %s (the cluster still enforces it)", k[0], n, objects, k[1]))
	}
	sort.Strings(out)
	return out
}
