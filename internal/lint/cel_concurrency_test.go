package lint_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emmdev/emmdev/internal/lint"
	"github.com/emmdev/emmdev/internal/lint/loader"
	"github.com/emmdev/emmdev/internal/policyload"
)

// teamPolicy is a custom rule over five API groups, so that a run both
// registers groups for the API server's validation and evaluates CEL on
// objects of those groups.
const teamPolicy = `apiVersion: emmdev.dev/v1alpha1
kind: CELPolicy
metadata: {name: team}
spec:
  matchConstraints:
    resourceRules:
      - {apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [configmaps, services]}
      - {apiGroups: [apps], apiVersions: [v1], operations: [CREATE], resources: [deployments]}
      - {apiGroups: [batch], apiVersions: [v1], operations: [CREATE], resources: [jobs]}
      - {apiGroups: [policy], apiVersions: [v1], operations: [CREATE], resources: [poddisruptionbudgets]}
      - {apiGroups: [networking.k8s.io], apiVersions: [v1], operations: [CREATE], resources: [networkpolicies]}
  rules:
    - id: team-label
      expression: has(object.metadata.labels) && 'team' in object.metadata.labels
      message: every object names its team
`

const teamObjects = `apiVersion: v1
kind: ConfigMap
metadata: {name: c%[1]d, namespace: app}
data: {a: b}
---
apiVersion: v1
kind: Service
metadata: {name: s%[1]d, namespace: app}
spec:
  selector: {app: x}
  ports: [{port: 80}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: d%[1]d, namespace: app}
spec:
  selector: {matchLabels: {app: x}}
  template:
    metadata: {labels: {app: x}}
    spec:
      containers: [{name: x, image: x:1}]
---
apiVersion: batch/v1
kind: Job
metadata: {name: j%[1]d, namespace: app}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: x, image: x:1}]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: p%[1]d, namespace: app}
spec:
  minAvailable: 1
  selector: {matchLabels: {app: x}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: n%[1]d, namespace: app}
spec:
  podSelector: {}
`

// TestCELRulesAcrossGroupsConcurrently: with custom CEL rules, the workers
// evaluate CEL on kube-apiserver's process-wide scheme while others
// validate objects of groups not seen before. Every object gets exactly its
// CEL finding and none an API-validation one; under -race (make
// test-race) an unsynchronised scheme registration is a failure.
func TestCELRulesAcrossGroupsConcurrently(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "policies"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "policies", "team.yaml"), []byte(teamPolicy), 0o644); err != nil {
		t.Fatal(err)
	}
	const copies = 20
	var docs []string
	for i := range copies {
		docs = append(docs, fmt.Sprintf(teamObjects, i))
	}
	file := filepath.Join(dir, "objects.yaml")
	if err := os.WriteFile(file, []byte(strings.Join(docs, "---\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := policyload.Load(policyload.Options{WorkDir: dir, Start: dir})
	if err != nil {
		t.Fatal(err)
	}
	res, err := lint.Run(context.Background(), lint.Config{
		Inputs: []loader.Input{fileInput(file)}, Registry: l.Registry, Policy: l.Policy, CEL: l.CEL, Workers: 8,
	})
	if err != nil {
		t.Fatal(err)
	}
	perObject := map[string]int{}
	for _, f := range res.Findings {
		switch f.RuleID {
		case "team-label":
			perObject[f.Object]++
		case "api-validation", "schema", "parse":
			t.Errorf("%s: %s %s", f.Object, f.RuleID, f.Message)
		}
	}
	if res.Objects != 6*copies || len(perObject) != 6*copies {
		t.Fatalf("%d objects, %d with a team-label finding; want %d each", res.Objects, len(perObject), 6*copies)
	}
	for obj, n := range perObject {
		if n != 1 {
			t.Errorf("%s: %d team-label findings", obj, n)
		}
	}
}
