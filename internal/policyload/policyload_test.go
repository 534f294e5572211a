package policyload_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/emmdev/emmdev/internal/lint/finding"
	"github.com/emmdev/emmdev/internal/policyload"
	"github.com/emmdev/emmdev/policies"
)

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// newRepo returns an empty git work tree (no policies/ of its own).
func newRepo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	write(t, filepath.Join(dir, ".git", "HEAD"), "ref: refs/heads/main\n")
	return dir
}

func ruleIDs(l *policyload.Loaded) []string {
	var ids []string
	for _, r := range l.CEL.Rules {
		ids = append(ids, r.ID)
	}
	slices.Sort(ids)
	return ids
}

const customRule = `apiVersion: emmdev.dev/v1alpha1
kind: CELPolicy
metadata: {name: custom}
spec:
  matchConstraints:
    resourceRules:
      - {apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [configmaps]}
  rules:
    - id: %s
      severity: warning
      expression: has(object.metadata.labels)
`

func rule(id string) string { return strings.Replace(customRule, "%s", id, 1) }

// flowLine is the line of "  rules:" in a rule file, where the tests open
// a flow list that is never closed: the parser stops at the block item on
// the next line.
func flowLine(doc string) int {
	i := strings.Index(doc, "  rules:\n")
	return strings.Count(doc[:i], "\n") + 1
}

// TestEmbeddedOnly: outside a repository with policies/, the binary's own
// policies apply: the default lint policy and the four EMM twins.
func TestEmbeddedOnly(t *testing.T) {
	t.Parallel()
	dir := newRepo(t)
	l, err := policyload.Load(policyload.Options{WorkDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if l.Dir != "" || l.Policy.Source != policies.DefaultName {
		t.Errorf("dir %q, lint policy %q", l.Dir, l.Policy.Source)
	}
	want := []string{"readiness-probe", "resources", "rolling-update-downtime", "stateful-without-pvc"}
	if got := ruleIDs(l); !slices.Equal(got, want) {
		t.Errorf("rules %v, want %v", got, want)
	}
	// The twins take the lint policy's parameters (the full image list).
	images, _ := l.ExportOptions().TwinParams("stateful-without-pvc")["images"].([]string)
	if !slices.Contains(images, "clickhouse*") || len(images) < 20 {
		t.Errorf("stateful twin images %v", images)
	}
}

// TestRepositoryPolicies: policies/ is found walking up from the linted
// path to the git root; default.yaml replaces the lint policy, a file named
// like an embedded one replaces it, other CELPolicy files add rules, other
// YAML is named in a notice, subdirectories are not read.
func TestRepositoryPolicies(t *testing.T) {
	t.Parallel()
	repo := t.TempDir()
	write(t, filepath.Join(repo, ".git", "HEAD"), "ref: refs/heads/main\n")
	write(t, filepath.Join(repo, "policies", "default.yaml"), "apiVersion: emmdev.dev/v1alpha1\nkind: LintPolicy\nrules:\n  readiness-probe: {severity: warning}\n")
	write(t, filepath.Join(repo, "policies", "custom.yaml"), rule("configmap-labels"))
	write(t, filepath.Join(repo, "policies", "emm.yaml"), strings.Replace(rule("readiness-probe"), "severity: warning", "builtin: true", 1))
	write(t, filepath.Join(repo, "policies", "kyverno.yaml"), "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\n")
	write(t, filepath.Join(repo, "policies", "examples", "x.yaml"), rule("example-only"))
	write(t, filepath.Join(repo, "manifests", "app", "a.yaml"), "")
	// A policies/ above the git root is not the repository's.
	write(t, filepath.Join(filepath.Dir(repo), "policies", "outside.yaml"), rule("outside"))

	l, err := policyload.Load(policyload.Options{WorkDir: repo, Start: filepath.Join(repo, "manifests", "app", "a.yaml")})
	if err != nil {
		t.Fatal(err)
	}
	if l.Dir != filepath.Join(repo, "policies") {
		t.Errorf("dir %q", l.Dir)
	}
	if l.Policy.Source != filepath.Join("policies", "default.yaml") || l.Policy.Rules["readiness-probe"].Severity != finding.Warning {
		t.Errorf("lint policy %q, readiness severity %v", l.Policy.Source, l.Policy.Rules["readiness-probe"].Severity)
	}
	if got := ruleIDs(l); !slices.Equal(got, []string{"configmap-labels", "readiness-probe"}) {
		t.Errorf("rules %v: the repository's emm.yaml must replace the embedded one", got)
	}
	if _, ok := l.Registry.Get("configmap-labels"); !ok {
		t.Error("custom rule not in the lint registry")
	}
	if len(l.Notices) != 1 || !strings.Contains(l.Notices[0], "kyverno.yaml holds no CELPolicy (kind \"ClusterPolicy\")") {
		t.Errorf("notices %v", l.Notices)
	}

	// --policy: a CELPolicy adds, a lint policy replaces, the policies/
	// file given again is not loaded twice.
	write(t, filepath.Join(repo, "extra.yaml"), rule("extra"))
	write(t, filepath.Join(repo, "strict.yaml"), "apiVersion: emmdev.dev/v1alpha1\nkind: LintPolicy\nrules:\n  configmap-labels: {severity: error}\n")
	l, err = policyload.Load(policyload.Options{WorkDir: repo, PolicyFiles: []string{"extra.yaml", "strict.yaml", filepath.Join("policies", "custom.yaml")}})
	if err != nil {
		t.Fatal(err)
	}
	if got := ruleIDs(l); !slices.Equal(got, []string{"configmap-labels", "extra", "readiness-probe"}) {
		t.Errorf("rules %v", got)
	}
	if l.Policy.Source != "strict.yaml" || l.Policy.Rules["configmap-labels"].Severity != finding.Error || l.Policy.Rules["readiness-probe"].Severity != finding.Error {
		t.Errorf("lint policy %q: %+v", l.Policy.Source, l.Policy.Rules["configmap-labels"])
	}
}

// TestBadRepositoryPolicy: a broken file in policies/ is an error with its
// path, line and column, never skipped.
func TestBadRepositoryPolicy(t *testing.T) {
	t.Parallel()
	repo := t.TempDir()
	write(t, filepath.Join(repo, ".git", "HEAD"), "ref: refs/heads/main\n")
	write(t, filepath.Join(repo, "policies", "custom.yaml"), strings.Replace(rule("typo"), "has(object.metadata.labels)", "has(object.metdata.labels)", 1))
	_, err := policyload.Load(policyload.Options{WorkDir: repo})
	if err == nil || !strings.Contains(err.Error(), filepath.Join("policies", "custom.yaml")+":11:") || !strings.Contains(err.Error(), "undefined field 'metdata'") {
		t.Fatalf("error %v", err)
	}
}

// TestPolicyFilesFailClosed: a rule file in policies/ that does not parse,
// or names a kind emmdev does not know (a typo of CELPolicy), stops the
// run with its file:line; skipping it with a notice would let the gate
// pass without the rule.
func TestPolicyFilesFailClosed(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct{ content, want string }{
		"unclosed flow list":  {strings.Replace(rule("x"), "  rules:\n", "  rules: [\n", 1), fmt.Sprintf("custom.yaml:%d: did not find expected node content", flowLine(rule("x"))+1)},
		"kind typo":           {strings.Replace(rule("x"), "kind: CELPolicy", "kind: CelPolicy", 1), `custom.yaml:1: kind "CelPolicy" (apiVersion emmdev.dev/v1alpha1) is not one emmdev knows`},
		"second lint policy":  {"apiVersion: emmdev.dev/v1alpha1\nkind: LintPolicy\nrules: {}\n", "custom.yaml:1: a lint policy in policies/ is default.yaml"},
		"unknown emmdev kind": {strings.Replace(rule("x"), "kind: CELPolicy", "kind: Rule", 1), `custom.yaml:1: kind "Rule"`},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			repo := t.TempDir()
			write(t, filepath.Join(repo, ".git", "HEAD"), "ref: refs/heads/main\n")
			write(t, filepath.Join(repo, "policies", "custom.yaml"), tc.content)
			l, err := policyload.Load(policyload.Options{WorkDir: repo})
			if err == nil {
				t.Fatalf("loaded (rules %v, notices %v), want an error", ruleIDs(l), l.Notices)
			}
			// The YAML case must be the parser's own error, not a later check.
			if !strings.Contains(err.Error(), filepath.Join("policies", tc.want)) || (name == "unclosed flow list" && !strings.Contains(err.Error(), "did not find expected node content")) {
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}
}
