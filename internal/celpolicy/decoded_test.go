package celpolicy_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"github.com/emmdev/emmdev/internal/apivalidation"
	"github.com/emmdev/emmdev/internal/celpolicy"
	"github.com/emmdev/emmdev/internal/lint/loader"
)

// TestDecodedObjectGivesTheSameVerdicts: lint hands the evaluator the
// object the API server's validation decoded (apivalidation's
// ValidateDecoded) instead of letting it decode the object again; every
// rule of the proof policies and the shipped twins says the same on every
// fixture either way.
func TestDecodedObjectGivesTheSameVerdicts(t *testing.T) {
	t.Parallel()
	l := proofPolicies(t)
	ev := l.CEL.NewEvaluator(celpolicy.EvalOptions{Twins: true, TwinParams: twinParams(l.Policy)})
	native := apivalidation.New()
	files, err := filepath.Glob(filepath.Join("..", "lint", "testdata", "*", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	corpus, _ := filepath.Glob(filepath.Join("testdata", "corpus", "*.yaml"))
	files = append(files, corpus...)
	shared, denials := 0, 0
	for _, file := range files {
		objs, err := loader.Load(context.Background(), []loader.Input{fileInput(file)}, loader.Options{})
		if err != nil {
			continue // a fixture of broken YAML
		}
		for _, o := range objs {
			if !native.Handles(o.APIVersion, o.Kind) {
				continue
			}
			_, decoded, err := native.ValidateDecoded(context.Background(), o.Obj)
			if err != nil || decoded == nil {
				continue // the API server refuses to decode it: lint lets the evaluator try
			}
			shared++
			own := verdictLines(ev.Evaluate(context.Background(), o.Obj))
			got := verdictLines(ev.EvaluateDecoded(context.Background(), o.Obj, decoded))
			if !slices.Equal(own, got) {
				t.Errorf("%s %s:\ndecoding itself: %q\nwith the decoded object: %q", file, o.Ref(), own, got)
			}
			denials += len(got)
		}
	}
	if shared < 60 || denials < 30 {
		t.Errorf("compared %d objects with %d verdicts: too few to mean anything", shared, denials)
	}
	t.Logf("%d objects, %d verdicts, the same either way", shared, denials)
}

func verdictLines(vs []celpolicy.Verdict) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = fmt.Sprintf("%s|%s|%s|%v", v.Rule.ID, v.Message, v.NotJudged, v.Paths)
	}
	slices.Sort(out)
	return out
}
