package lint_test

import (
	"fmt"
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
	doc := `apiVersion: bitnami.com/v1alpha1
kind: SealedSecret
metadata:
  name: creds
spec:
  encryptedData: {password: AgBy}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: sealedsecrets.bitnami.com
spec:
  group: bitnami.com
  scope: Namespaced
  names: {kind: SealedSecret, plural: sealedsecrets}
  versions:
    - name: v1alpha1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              required: [owner]
              properties:
                owner: {type: string}
                encryptedData: {type: object, additionalProperties: {type: string}}
`
	var got []string
	for _, f := range lintBytes(t, lint.Config{}, "sealed.yaml", doc) {
		if f.Object == "SealedSecret creds" || strings.HasPrefix(f.Object, "SealedSecret ") {
			got = append(got, fmt.Sprintf("%d %s %s", f.Line, f.RuleID, f.Message))
		}
	}
	if !slices.ContainsFunc(got, func(s string) bool { return strings.Contains(s, "spec.owner: Required value") }) {
		t.Errorf("SealedSecret findings %q: want the tree CRD's spec.owner: Required value (the embedded CRD has no owner)", got)
	}
}
