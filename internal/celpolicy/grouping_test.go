package celpolicy_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/emmdev/emmdev/internal/celpolicy"
	"github.com/emmdev/emmdev/internal/lint/loader"
)

// TestGroupedRulesEqualOneByOne: offline, the rules of one policy are
// evaluated together (one match and activation per object); in the
// cluster each is its own policy. On every fixture, every rule of the
// proof policies and the shipped twins says the same as when it is the
// only rule enabled, runtime errors included.
func TestGroupedRulesEqualOneByOne(t *testing.T) {
	t.Parallel()
	l := proofPolicies(t)
	params := twinParams(l.Policy)
	all := l.CEL.NewEvaluator(celpolicy.EvalOptions{Twins: true, TwinParams: params})
	alone := map[string]*celpolicy.Evaluator{}
	for _, r := range all.Rules() {
		id := r.ID
		alone[id] = l.CEL.NewEvaluator(celpolicy.EvalOptions{Twins: true, TwinParams: params, Enabled: func(x string) bool { return x == id }})
	}
	files, _ := filepath.Glob(filepath.Join("..", "lint", "testdata", "*", "*.yaml"))
	corpus, _ := filepath.Glob(filepath.Join("testdata", "corpus", "*.yaml"))
	compared := 0
	for _, file := range append(files, corpus...) {
		objs, err := loader.Load(context.Background(), []loader.Input{fileInput(file)}, loader.Options{})
		if err != nil {
			continue // a fixture of broken YAML
		}
		for _, o := range objs {
			got := verdictLines(all.Evaluate(context.Background(), o.Obj))
			var want []string
			for _, ev := range alone {
				want = append(want, verdictLines(ev.Evaluate(context.Background(), o.Obj))...)
			}
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("%s %s:\ngrouped: %q\none by one: %q", file, o.Ref(), got, want)
			}
			compared += len(got)
		}
	}
	if compared < 100 {
		t.Errorf("only %d verdicts compared", compared)
	}
}

const paramsNames = `apiVersion: emmdev.dev/v1alpha1
kind: CELPolicy
metadata: {name: params-names}
spec:
  matchConstraints:
    resourceRules:
      - {apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [configmaps]}
  params: {maxKeys: 1}
  rules:
    - id: names-a
      expression: "false"
      messageExpression: "'checked with ' + params.metadata.name"
    - id: names-b
      # true with its own parameters object, false with names-a's
      expression: "params.metadata.name != 'emmdev-names-a'"
      message: judged with the parameters of names-a
    - id: max-keys
      expression: "!has(object.data) || size(object.data) <= params.maxKeys"
      message: too many keys
    - id: max-keys-again
      expression: "!has(object.data) || size(object.data) <= params.maxKeys"
      messageExpression: "'more than ' + string(params.maxKeys) + ' keys'"
`

// TestRulesSeeTheirOwnParametersObject: in the cluster each rule's
// parameters are its own object, named after the rule's policy; rules that
// read that object's metadata see their own name offline too, while rules
// reading only the parameters share one evaluation.
func TestRulesSeeTheirOwnParametersObject(t *testing.T) {
	t.Parallel()
	set, err := celpolicy.Load([]celpolicy.Source{{Name: "params-names.yaml", Data: []byte(paramsNames)}}, celpolicy.Options{})
	if err != nil {
		t.Fatal(err)
	}
	obj := map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "c", "namespace": "app"}, "data": map[string]any{"a": "1", "b": "2"}}
	got := map[string]string{}
	for _, v := range set.NewEvaluator(celpolicy.EvalOptions{}).Evaluate(context.Background(), obj) {
		got[v.Rule.ID] = v.Message
	}
	want := map[string]string{
		"names-a":        "checked with emmdev-names-a",
		"max-keys":       "too many keys",
		"max-keys-again": "more than 1 keys",
	}
	if len(got) != len(want) {
		t.Errorf("verdicts %v, want %v", got, want)
	}
	for id, msg := range want {
		if got[id] != msg {
			t.Errorf("rule %s: %q, want %q", id, got[id], msg)
		}
	}
}
