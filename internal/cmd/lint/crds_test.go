package lint_test

import (
	"context"
	"strings"
	"testing"

	"github.com/emmdev/emmdev/internal/app"
	"github.com/emmdev/emmdev/internal/cmdutil"
)

// TestBrokenCRDsAreFindings: a malformed, an invalid, a partial and a
// shadowing CRD in the tree are findings at their file:line (exit 1), never
// an abort: the other files are still linted, the Deployment keeps its
// built-in checks, and the custom resource of the broken CRD says why it
// was not validated. Same with kubeconform as the schema engine.
func TestBrokenCRDsAreFindings(t *testing.T) {
	t.Parallel()
	cache := t.TempDir()
	want := []string{
		// malformed: the schema check names the field; the CRD is not used.
		"testdata/crds/malformed-crd.yaml:11:7: error [schema] CustomResourceDefinition widgets.example.com:",
		"testdata/crds/objects.yaml:2:1: error [unknown-kind] Widget agentic-ai/w: Widget was not validated: its CustomResourceDefinition widgets.example.com (testdata/crds/malformed-crd.yaml:1) is not used because the API server cannot decode it",
		// invalid: the API server's message at the rule.
		"testdata/crds/invalid-crd.yaml:20:19: error [api-validation] CustomResourceDefinition gizmos.example.com: spec.validation.openAPIV3Schema.properties[spec].x-kubernetes-validations[0].rule: Invalid value:",
		"compilation failed: ERROR: <input>:1:5: undefined field 'sise'",
		// partial: one finding, not a page of missing fields.
		"testdata/crds/partial-crd.yaml:2:1: error [crd] CustomResourceDefinition gadgets.example.com: incomplete CustomResourceDefinition (no spec.group, spec.names.plural, spec.names.kind, spec.scope, spec.versions)",
		// shadowing: reported, and apps/Deployment keeps its checks.
		`testdata/crds/shadow-crd.yaml:6:3: error [crd] CustomResourceDefinition deployments.apps: spec.group: "apps" is an API group the API server serves itself`,
		"testdata/crds/objects.yaml:23:3: error [schema] Deployment agentic-ai/api:",
		// other files' findings.
		"testdata/crds/objects.yaml:14:1: error [plaintext-secret] Secret agentic-ai/leak",
	}
	for _, engine := range []string{"emmdev", "kubeconform"} {
		streams, _, out, errOut := cmdutil.TestStreams()
		streams.Getenv = func(k string) string {
			if k == "EMMDEV_CACHE" {
				return cache
			}
			return ""
		}
		code := app.Run(context.Background(), []string{"lint", "--schema-engine", engine, "testdata/crds"}, cmdutil.NewFactory(streams, "test"))
		if code != 1 || errOut.Len() > 0 {
			t.Errorf("%s engine: exit %d, stderr %q; want 1 and findings only", engine, code, errOut)
		}
		for _, w := range want {
			if !strings.Contains(out.String(), w) {
				t.Errorf("%s engine: output lacks %q:\n%s", engine, w, out)
			}
		}
	}
}
