package celpolicy_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/emmdev/emmdev/internal/celpolicy"
	"github.com/emmdev/emmdev/internal/lint"
	"github.com/emmdev/emmdev/internal/lint/finding"
	"github.com/emmdev/emmdev/internal/lint/loader"
	"github.com/emmdev/emmdev/internal/lint/policy"
	"github.com/emmdev/emmdev/internal/lint/rules"
	"github.com/emmdev/emmdev/policies"
)

// shipped loads the embedded policies with the default lint policy, the way
// emmdev does without a repository around.
func shipped(t testing.TB) (*celpolicy.Set, *rules.Registry, *policy.Policy) {
	t.Helper()
	reg, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	pol, err := policy.Parse(policies.DefaultName, policies.Default(), reg)
	if err != nil {
		t.Fatal(err)
	}
	var srcs []celpolicy.Source
	for _, f := range policies.Embedded() {
		srcs = append(srcs, celpolicy.Source{Name: policies.EmbeddedName(f.Base), Data: f.Data})
	}
	set, err := celpolicy.Load(srcs, celpolicy.Options{IsBuiltin: func(id string) bool { _, ok := reg.Get(id); return ok }})
	if err != nil {
		t.Fatal(err)
	}
	return set, reg, pol
}

func twinParams(pol *policy.Policy) func(string) map[string]any {
	return func(id string) map[string]any { return pol.Rules[id].Params }
}

// TestTwinsAgreeWithGoRules runs every lint fixture through the Go rules and
// through their CEL twins of policies/emm.yaml, evaluated offline with the
// API server's admission libraries: for each object and twin rule, both
// fail or both pass, and the CEL message (what the cluster answers) is one
// of the messages lint gives for that rule on that object.
func TestTwinsAgreeWithGoRules(t *testing.T) {
	set, reg, pol := shipped(t)
	ev := set.NewEvaluator(celpolicy.EvalOptions{Twins: true, TwinParams: twinParams(pol)})
	twins := map[string]bool{}
	for _, r := range ev.Rules() {
		if r.Builtin {
			twins[r.ID] = true
		}
	}
	if len(twins) != 4 {
		t.Fatalf("twins %v, want the four EMM rules", twins)
	}
	files, err := filepath.Glob(filepath.Join("..", "lint", "testdata", "*", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	corpus, _ := filepath.Glob(filepath.Join("testdata", "corpus", "*.yaml"))
	files = append(files, corpus...)
	checked := map[string]int{}
	failing := map[string]int{}
	for _, file := range files {
		if filepath.Base(file) == "kind-config.yaml" {
			continue
		}
		objs, err := loader.Load(context.Background(), []loader.Input{fileInput(file)}, loader.Options{})
		if err != nil {
			continue // a fixture of broken YAML
		}
		res, err := lint.Run(context.Background(), lint.Config{Inputs: []loader.Input{fileInput(file)}, Registry: reg, Policy: pol})
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		for _, o := range objs {
			goMsgs := map[string][]string{}
			for _, f := range res.Findings {
				if f.Object == o.Ref() && twins[f.RuleID] && f.File == o.File && f.Line >= o.Line() {
					goMsgs[f.RuleID] = append(goMsgs[f.RuleID], f.Message)
				}
			}
			celMsgs := map[string]string{}
			for _, v := range ev.Evaluate(context.Background(), o.Obj) {
				if v.NotJudged != "" {
					t.Errorf("%s %s: %s not judged: %s", file, o.Ref(), v.Rule.ID, v.NotJudged)
				}
				celMsgs[v.Rule.ID] = v.Message
			}
			for id := range twins {
				if hpaScaled(goMsgs[id]) {
					// The admission request holds the Deployment alone: the
					// cluster cannot see the HPA that lint weighs (README).
					continue
				}
				checked[id]++
				got, fails := celMsgs[id]
				if fails {
					failing[id]++
				}
				switch {
				case fails != (len(goMsgs[id]) > 0):
					t.Errorf("%s %s: rule %s: cluster says %q, lint says %q", file, o.Ref(), id, got, goMsgs[id])
				case fails && !slices.Contains(goMsgs[id], got):
					t.Errorf("%s %s: rule %s: cluster message %q is none of lint's %q", file, o.Ref(), id, got, goMsgs[id])
				}
			}
		}
	}
	// The comparison must have had something to compare.
	for id := range twins {
		if failing[id] < 3 || checked[id]-failing[id] < 3 {
			t.Errorf("rule %s: %d failing and %d passing objects, want at least 3 of each", id, failing[id], checked[id]-failing[id])
		}
	}
	t.Logf("objects per twin: %v, failing: %v", checked, failing)
}

// hpaScaled reports lint messages that weighed a HorizontalPodAutoscaler.
func hpaScaled(msgs []string) bool {
	for _, m := range msgs {
		if strings.Contains(m, "HorizontalPodAutoscaler maxReplicas") {
			return true
		}
	}
	return false
}

func fileInput(path string) loader.Input {
	return loader.Input{Name: path, Read: func(int64) ([]byte, error) { return os.ReadFile(path) }}
}

var _ = fmt.Sprint
var _ = finding.Error
