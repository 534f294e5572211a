package celpolicy

import (
	"context"
	"slices"
	"strings"
	"testing"
)

const lazyPolicy = `apiVersion: emmdev.dev/v1alpha1
kind: CELPolicy
metadata: {name: lazy}
spec:
  matchConstraints:
    resourceRules:
      - {apiGroups: [apps], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [deployments]}
  rules:
    - id: replicas-max
      expression: object.spec.replicas <= 5
      message: too many replicas
    - id: ns-owner
      expression: has(namespaceObject.metadata.labels)
      message: the namespace needs labels
`

// Compiling a rule (parsing every expression for the fields it reads,
// its match accessors) is paid only by rules that are used: lint runs the
// shipped rules as Go checks and must not pay for their twins on every run.
func TestRulesCompileOnFirstUse(t *testing.T) {
	set, err := Load([]Source{{Name: "lazy.yaml", Data: []byte(lazyPolicy)}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	replicas, _ := set.Rule("replicas-max")
	owner, _ := set.Rule("ns-owner")
	for _, r := range []*Rule{replicas, owner} {
		if r.accessor != nil || r.paths != nil || r.offlineVAP != nil {
			t.Fatalf("rule %s was compiled by Load; it must compile on first use", r.ID)
		}
	}

	// Reading what needs the compiled form compiles the rule, and only it.
	if got := owner.NotOffline(); len(got) != 1 || !strings.Contains(got[0], "namespaceObject") {
		t.Errorf("NotOffline() = %q, want the namespaceObject blocker", got)
	}
	if replicas.accessor != nil {
		t.Error("NotOffline of one rule compiled another")
	}

	ev := set.NewEvaluator(EvalOptions{Enabled: func(id string) bool { return id == "replicas-max" }})
	obj := map[string]any{
		"apiVersion": "apps/v1", "kind": "Deployment",
		"metadata": map[string]any{"name": "web", "namespace": "default"},
		"spec": map[string]any{
			"replicas": int64(9),
			"selector": map[string]any{"matchLabels": map[string]any{"app": "web"}},
			"template": map[string]any{
				"metadata": map[string]any{"labels": map[string]any{"app": "web"}},
				"spec":     map[string]any{"containers": []any{map[string]any{"name": "web", "image": "web:1"}}},
			},
		},
	}
	vs := ev.Evaluate(context.Background(), obj)
	if len(vs) != 1 || vs[0].Message != "too many replicas" {
		t.Fatalf("verdicts = %+v, want the replicas-max failure", vs)
	}
	if !slices.ContainsFunc(vs[0].Paths, func(p []string) bool { return slices.Equal(p, []string{"spec", "replicas"}) }) {
		t.Errorf("paths = %q, want spec.replicas (found by compiling on first use)", vs[0].Paths)
	}
}

// An evaluator without rules to run (lint with only the shipped twins)
// does not build the admission machinery, and judges nothing.
func TestEvaluatorWithoutRules(t *testing.T) {
	set, err := Load([]Source{{Name: "lazy.yaml", Data: []byte(lazyPolicy)}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ev := set.NewEvaluator(EvalOptions{Enabled: func(string) bool { return false }})
	if ev.ifaces != nil {
		t.Error("an evaluator with no rules built the object interfaces (registers every API group)")
	}
	if vs := ev.Evaluate(context.Background(), map[string]any{"apiVersion": "apps/v1", "kind": "Deployment", "spec": map[string]any{"replicas": int64(9)}}); len(vs) != 0 {
		t.Errorf("verdicts = %+v, want none", vs)
	}
}
