package lint_test

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/emmdev/emmdev/internal/lint"
)

// A SealedSecret CRD in the tree replaces the embedded one even for the
// objects read before it (which were validated against the embedded CRD
// while loading): the tree's schema decides.
func TestTreeCRDReplacesEmbeddedForEarlierObjects(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("testdata/prevalidate/sealedsecret-before-tree-crd.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range lintBytes(t, lint.Config{}, "sealed.yaml", string(doc)) {
		if f.Object == "SealedSecret creds" {
			got = append(got, fmt.Sprintf("%d %s %s", f.Line, f.RuleID, f.Message))
		}
	}
	if !slices.ContainsFunc(got, func(s string) bool { return strings.Contains(s, "spec.owner: Required value") }) {
		t.Errorf("SealedSecret findings %q: want the tree CRD's spec.owner: Required value (the embedded CRD has no owner)", got)
	}
}
