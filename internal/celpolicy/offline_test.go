package celpolicy_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/emmdev/emmdev/internal/lint"
	"github.com/emmdev/emmdev/internal/lint/loader"
	"github.com/emmdev/emmdev/internal/policyload"
)

// TestNotJudgedOfflineIsSaid: rules that need the cluster (namespaceObject,
// request.userInfo, request.options, paramKind parameters, a namespaceSelector on a
// namespace whose labels are not in the linted files) are never silently
// skipped: each yields a notice naming the rule, the reason and how many
// objects, and --list-rules data says so. A namespaceSelector whose
// Namespace is in the files is judged.
func TestNotJudgedOfflineIsSaid(t *testing.T) {
	t.Parallel()
	wd, _ := os.Getwd()
	l, err := policyload.Load(policyload.Options{WorkDir: wd, PolicyFiles: []string{filepath.Join("testdata", "offline", "cluster-only.yaml")}})
	if err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]string{
		"namespace-owner":         "namespaceObject",
		"no-robots":               "request.userInfo",
		"no-edit":                 "request.options",
		"replicas-from-configmap": "paramKind",
		"prod-configmap-owner":    "",
	} {
		r, ok := l.CEL.Rule(id)
		if !ok {
			t.Fatalf("rule %s not loaded", id)
		}
		got := strings.Join(r.NotOffline(), "; ")
		if (want == "") != (got == "") || !strings.Contains(got, want) {
			t.Errorf("rule %s: NotOffline %q, want it to mention %q", id, got, want)
		}
	}
	in := filepath.Join("testdata", "offline", "objects.yaml")
	res, err := lint.Run(context.Background(), lint.Config{
		Inputs:   []loader.Input{{Name: in, Read: func(int64) ([]byte, error) { return os.ReadFile(in) }}},
		Registry: l.Registry, Policy: l.Policy, CEL: l.CEL,
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"rule namespace-owner was not judged offline on 1 object: it reads namespaceObject, which only the cluster has (the cluster still enforces it)",
		"rule no-edit was not judged offline on 1 object: it reads request.options, which the client chooses (field manager, dry run) (the cluster still enforces it)",
		"rule no-robots was not judged offline on 1 object: it reads request.userInfo, the user of the request (the cluster still enforces it)",
		"rule prod-configmap-owner was not judged offline on 2 objects: it needs the labels of namespace staging for its namespaceSelector, and that Namespace is not in the linted files (the cluster still enforces it)",
		"rule replicas-from-configmap was not judged offline on 1 object: it takes its parameters from ConfigMap objects in the cluster (paramKind) (the cluster still enforces it)",
	}
	if !slices.Equal(res.Notices, want) {
		t.Errorf("notices:\n%s\nwant:\n%s", strings.Join(res.Notices, "\n"), strings.Join(want, "\n"))
	}
	var got []string
	for _, f := range res.Findings {
		if f.RuleID == "prod-configmap-owner" {
			got = append(got, f.Object)
		}
	}
	if !slices.Equal(got, []string{"ConfigMap prod/in-prod"}) {
		t.Errorf("prod-configmap-owner findings on %v, want only the ConfigMap of the labelled namespace", got)
	}
}
