package policyload_test

import (
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/emmdev/emmdev/internal/lint/rules"
	"github.com/emmdev/emmdev/internal/policyload"
	"github.com/emmdev/emmdev/policies"
)

// TestDeferShipped: with DeferShipped (lint), the shipped CELPolicy files
// are loaded only when asked, and only when that cannot change what lint
// runs: they are unchanged (embedded, or an identical copy in policies/)
// and nothing else adds rules. The deferred set is the one Load builds
// eagerly.
func TestDeferShipped(t *testing.T) {
	t.Parallel()
	embedded := t.TempDir()
	write(t, filepath.Join(embedded, ".git", "HEAD"), "ref: refs/heads/main\n")
	copied := t.TempDir()
	write(t, filepath.Join(copied, ".git", "HEAD"), "ref: refs/heads/main\n")
	for _, f := range policies.Embedded() {
		write(t, filepath.Join(copied, "policies", f.Base), string(f.Data))
	}

	for name, dir := range map[string]string{"embedded only": embedded, "identical copy in policies/": copied} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			eager, err := policyload.Load(policyload.Options{WorkDir: dir})
			if err != nil {
				t.Fatal(err)
			}
			lazy, err := policyload.Load(policyload.Options{WorkDir: dir, DeferShipped: true})
			if err != nil {
				t.Fatal(err)
			}
			if lazy.CEL != nil {
				t.Fatal("Load parsed the shipped policy files; with DeferShipped they load on first use")
			}
			if !slices.Equal(ids(lazy.Registry), ids(eager.Registry)) || !reflect.DeepEqual(lazy.Policy, eager.Policy) {
				t.Errorf("deferring changed the registry or the lint policy: %v vs %v", ids(lazy.Registry), ids(eager.Registry))
			}
			set, err := lazy.CELSet()
			if err != nil {
				t.Fatal(err)
			}
			if got, want := ruleIDs(&policyload.Loaded{CEL: set}), ruleIDs(eager); !slices.Equal(got, want) || len(got) == 0 {
				t.Errorf("deferred rules %v, eager %v", got, want)
			}
			if again, _ := lazy.CELSet(); again != set {
				t.Error("CELSet loaded the deferred files twice")
			}
		})
	}
}

// TestShippedRulesAreTwins guards the premise of DeferShipped: lint runs
// the built-in rules' Go checks, so deferring the shipped files skips
// nothing only while every rule in them is a built-in rule's twin. A
// custom rule shipped in policies/*.yaml would make this fail rather than
// silently not run in lint.
func TestShippedRulesAreTwins(t *testing.T) {
	t.Parallel()
	dir := newRepo(t)
	l, err := policyload.Load(policyload.Options{WorkDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range l.CEL.Rules {
		if !r.Builtin {
			t.Errorf("shipped rule %s (%s) is not a built-in rule's twin: policyload.Options.DeferShipped would keep lint from running it", r.ID, r.Pos)
		}
	}
}

// TestDeferShippedNotWhenRulesAreAdded: a changed shipped file, another
// CELPolicy file in policies/ or a --policy CELPolicy file may hold custom
// rules (or break), so they are loaded and checked as without
// DeferShipped.
func TestDeferShippedNotWhenRulesAreAdded(t *testing.T) {
	t.Parallel()
	shipped := policies.Embedded()[0]
	for name, tc := range map[string]struct {
		files  map[string]string
		policy []string
		want   string // a rule the set must hold
	}{
		"custom file in policies/": {files: map[string]string{"policies/custom.yaml": rule("configmap-labels")}, want: "configmap-labels"},
		"changed shipped file":     {files: map[string]string{"policies/" + shipped.Base: strings.Replace(rule("readiness-probe"), "severity: warning", "builtin: true", 1)}, want: "readiness-probe"},
		"--policy CELPolicy file":  {files: map[string]string{"extra.yaml": rule("extra")}, policy: []string{"extra.yaml"}, want: "extra"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := newRepo(t)
			for p, content := range tc.files {
				write(t, filepath.Join(dir, p), content)
			}
			l, err := policyload.Load(policyload.Options{WorkDir: dir, PolicyFiles: tc.policy, DeferShipped: true})
			if err != nil {
				t.Fatal(err)
			}
			if l.CEL == nil {
				t.Fatal("the rule files were deferred although they may hold custom rules")
			}
			if _, ok := l.CEL.Rule(tc.want); !ok {
				t.Errorf("rules %v, want %s", ruleIDs(l), tc.want)
			}
			if set, err := l.CELSet(); err != nil || set != l.CEL {
				t.Errorf("CELSet = %p, %v; want CEL", set, err)
			}
		})
	}

	// A broken file is still an error at once.
	dir := newRepo(t)
	write(t, filepath.Join(dir, "policies", "custom.yaml"), strings.Replace(rule("typo"), "has(object.metadata.labels)", "has(object.metdata.labels)", 1))
	if _, err := policyload.Load(policyload.Options{WorkDir: dir, DeferShipped: true}); err == nil || !strings.Contains(err.Error(), "undefined field 'metdata'") {
		t.Errorf("error %v, want the type error of custom.yaml", err)
	}
}

func ids(reg *rules.Registry) []string {
	var out []string
	for _, r := range reg.All() {
		out = append(out, r.ID)
	}
	return out
}
