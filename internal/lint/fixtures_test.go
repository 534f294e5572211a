package lint_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/emmdev/emmdev/internal/lint"
	"github.com/emmdev/emmdev/internal/lint/loader"
	"github.com/emmdev/emmdev/internal/lint/policy"
	"github.com/emmdev/emmdev/internal/lint/rules"
	"github.com/emmdev/emmdev/policies"
)

// wantRE finds the expectation a fixture carries on the offending line
// itself: `# want: rule-a, rule-b`.
var wantRE = regexp.MustCompile(`#\s*want:\s*(.+)$`)

func expectations(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for i, line := range strings.Split(string(data), "\n") {
		if m := wantRE.FindStringSubmatch(line); m != nil {
			for _, id := range strings.Split(m[1], ",") {
				want = append(want, fmt.Sprintf("%s@%d", strings.TrimSpace(id), i+1))
			}
		}
	}
	slices.Sort(want)
	return want
}

func defaultSetup(t testing.TB) (*rules.Registry, *policy.Policy) {
	t.Helper()
	reg, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	pol, err := policy.Parse(policies.DefaultName, policies.Default(), reg)
	if err != nil {
		t.Fatal(err)
	}
	return reg, pol
}

// TestRuleFixtures runs every testdata/<rule>/{valid,invalid}-*.yaml through
// the real engine with the default policy: invalid fixtures must produce
// exactly the findings their `# want:` comments name, at those lines, and
// valid fixtures none at all.
func TestRuleFixtures(t *testing.T) {
	t.Parallel()
	reg, pol := defaultSetup(t)
	files, err := filepath.Glob(filepath.Join("testdata", "*", "*valid-*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimPrefix(file, "testdata/"), func(t *testing.T) {
			t.Parallel()
			want := expectations(t, file)
			valid := strings.HasPrefix(filepath.Base(file), "valid-")
			if valid != (len(want) == 0) {
				t.Fatalf("fixture naming: valid=%v but %d want comments", valid, len(want))
			}
			// Hermetic: only a kind-config.yaml next to the fixture applies.
			kc := filepath.Join(filepath.Dir(file), lint.KindConfigName)
			if _, err := os.Stat(kc); err != nil {
				kc = ""
			}
			res, err := lint.Run(context.Background(), lint.Config{
				Inputs:   []loader.Input{fileInput(file)},
				Registry: reg, Policy: pol, KindConfig: kc,
			})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range res.Findings {
				got = append(got, fmt.Sprintf("%s@%d", f.RuleID, f.Line))
				if f.File != file || f.Col == 0 || f.Object == "" || f.Message == "" || f.Remediation == "" {
					t.Errorf("incomplete finding %+v", f)
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("findings %v, want %v\n%v", got, want, res.Findings)
			}
		})
	}
}

func fileInput(path string) loader.Input {
	return loader.Input{Name: path, Read: func(int64) ([]byte, error) { return os.ReadFile(path) }}
}

// TestEveryRuleHasFixtures keeps the proof complete as rules are added.
func TestEveryRuleHasFixtures(t *testing.T) {
	t.Parallel()
	reg, _ := defaultSetup(t)
	for _, r := range reg.All() {
		if r.Check == nil && r.ID != "suppression-reason" && r.ID != "api-validation" {
			continue // schema and unknown-kind are exercised against internal/schema
		}
		if !r.EnabledByDefault() {
			continue // liveness/startup: covered by TestOptionalProbes
		}
		for _, prefix := range []string{"valid-", "invalid-"} {
			m, _ := filepath.Glob(filepath.Join("testdata", r.ID, prefix+"*.yaml"))
			if len(m) == 0 {
				t.Errorf("rule %s has no testdata/%s/%s*.yaml", r.ID, r.ID, prefix)
			}
		}
	}
}

// TestEMMStory pins the four mistakes of the EMM incident to their rules:
// the real linter, with the default policy, reports each fixture with
// exactly one error, of its rule, at the line the fixture marks.
func TestEMMStory(t *testing.T) {
	t.Parallel()
	reg, pol := defaultSetup(t)
	for _, f := range []string{
		"readiness-probe/invalid-emm-no-readiness-probe.yaml",
		"resources/invalid-emm-memory-limit-missing.yaml",
		"stateful-without-pvc/invalid-emm-redis-deployment.yaml",
		"plaintext-secret/invalid-emm-plaintext-secret.yaml",
	} {
		file := filepath.Join("testdata", f)
		want := expectations(t, file)
		rule := strings.Split(f, "/")[0]
		if len(want) != 1 || !strings.HasPrefix(want[0], rule+"@") {
			t.Errorf("%s: want exactly one %s finding, fixture says %v", f, rule, want)
			continue
		}
		res, err := lint.Run(context.Background(), lint.Config{Inputs: []loader.Input{fileInput(file)}, Registry: reg, Policy: pol})
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		var got []string
		for _, fd := range res.Findings {
			got = append(got, fmt.Sprintf("%s@%d", fd.RuleID, fd.Line))
			if fd.RuleID == rule && fd.Severity.String() != "error" {
				t.Errorf("%s: %s is a %s, want an error (it must block the merge)", f, rule, fd.Severity)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: the linter reports %v, want %v", f, got, want)
		}
	}
}
