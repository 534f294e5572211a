package policy

import (
	"os"
	"strings"
	"testing"

	"github.com/emmdev/emmdev/internal/lint/finding"
	"github.com/emmdev/emmdev/internal/lint/rules"
	"github.com/emmdev/emmdev/policies"
)

func registry(t *testing.T) *rules.Registry {
	t.Helper()
	reg, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

func TestEmbeddedDefaultPolicyParses(t *testing.T) {
	t.Parallel()
	p, err := Parse(policies.DefaultName, policies.Default(), registry(t))
	if err != nil {
		t.Fatal(err)
	}
	if !p.Rules["readiness-probe"].Enabled || p.Rules["liveness-probe"].Enabled {
		t.Error("default: readiness on, liveness off")
	}
	if got := p.Rules["stateful-without-pvc"].Params.Strings("images"); len(got) < 5 {
		t.Errorf("stateful images = %v", got)
	}
}

func TestCustomPolicyOverlaysDefaults(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("testdata/custom.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p, err := Parse("custom.yaml", data, registry(t))
	if err != nil {
		t.Fatal(err)
	}
	if rc := p.Rules["liveness-probe"]; !rc.Enabled || rc.Severity != finding.Error {
		t.Errorf("liveness-probe = %+v, want enabled error", rc)
	}
	if p.Rules["image-latest"].Severity != finding.Error {
		t.Error("image-latest severity not overridden")
	}
	if rc := p.Rules["plaintext-secret"]; !rc.Enabled || rc.Severity != finding.Error {
		t.Errorf("unmentioned rule lost its default: %+v", rc)
	}
	if got := p.Rules["resources"].Params.Strings("required"); strings.Join(got, ",") != "requests.memory,limits.memory" {
		t.Errorf("required = %v", got)
	}
	if p.Rules["resources"].Params.Bool("initContainers", true) {
		t.Error("initContainers: false not applied")
	}
}

func TestPolicyErrorsHaveLines(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, doc, want string
	}{
		{"unknown rule", "rules:\n  readines-probe:\n    enabled: false\n", `p.yaml:2:3: unknown rule "readines-probe"`},
		{"unknown top key", "rule:\n  x: 1\n", `p.yaml:1:1: unknown key "rule"`},
		{"unknown rule key", "rules:\n  resources:\n    enable: false\n", `p.yaml:3:5: unknown key "enable" in rule resources`},
		{"unknown param", "rules:\n  resources:\n    params:\n      require: [limits.cpu]\n", `p.yaml:4:7: rule resources has no parameter "require" (known: initContainers, required)`},
		{"param of rule without params", "rules:\n  plaintext-secret:\n    params:\n      x: [a]\n", `(it takes none)`},
		{"bad severity", "rules:\n  resources:\n    severity: fatal\n", `p.yaml:3:15: severity must be error, warning or info`},
		{"enabled not bool", "rules:\n  resources:\n    enabled: \"yes\"\n", `p.yaml:3:14: enabled must be true or false`},
		{"param wrong type", "rules:\n  stateful-without-pvc:\n    params:\n      images: redis\n", `p.yaml:4:15: want a list of strings`},
		{"list item wrong type", "rules:\n  stateful-without-pvc:\n    params:\n      images: [redis, {a: b}]\n", `p.yaml:4:23: want a non-empty string`},
		{"duplicate rule", "rules:\n  resources: {}\n  resources: {}\n", `p.yaml:3:3: duplicate key "resources"`},
		{"wrong kind", "kind: Policy\n", `p.yaml:1:7: kind must be "LintPolicy"`},
		{"not a mapping", "- a\n", `p.yaml:1:1: want a mapping`},
		{"empty", "", `p.yaml: empty policy file`},
		{"two documents", "rules: {}\n---\nrules: {}\n", `exactly one YAML document`},
		{"yaml syntax", "rules:\n\tresources: {}\n", `p.yaml:2: found character that cannot start any token`},
		{"unclosed flow list", "rules:\n  stateful-without-pvc:\n    params:\n      images: [redis\n  resources: {}\n", `p.yaml:4: did not find expected ',' or ']'`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("p.yaml", []byte(tt.doc), registry(t))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}
