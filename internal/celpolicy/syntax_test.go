package celpolicy_test

import (
	"testing"

	"github.com/emmdev/emmdev/internal/celpolicy"
)

// A YAML syntax error in a policy file names the line to fix (yaml.v3
// prints the 0-based one), with no made-up column.
func TestParseSyntaxErrorLine(t *testing.T) {
	t.Parallel()
	doc := "apiVersion: emmdev.dev/v1alpha1\nkind: CELPolicy\nmetadata:\n  name: x\nspec:\n  matchConstraints: {resourceRules: [a\n  rules: []\n"
	_, err := celpolicy.Parse(celpolicy.Source{Name: "p.yaml", Data: []byte(doc)})
	if want := "p.yaml:6: did not find expected ',' or ']'"; err == nil || err.Error() != want {
		t.Errorf("err = %v, want %s", err, want)
	}
}
