package lint_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/emmdev/emmdev/internal/lint"
	"github.com/emmdev/emmdev/internal/lint/finding"
	"github.com/emmdev/emmdev/internal/lint/loader"
	"github.com/emmdev/emmdev/internal/lint/policy"
	"github.com/emmdev/emmdev/internal/schema"
)

func lintBytes(t *testing.T, cfg lint.Config, name, doc string) []finding.Finding {
	t.Helper()
	if cfg.Registry == nil {
		cfg.Registry, cfg.Policy = defaultSetup(t)
	}
	cfg.Inputs = []loader.Input{loader.BytesInput(name, []byte(doc))}
	res, err := lint.Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return res.Findings
}

const bareDeployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  strategy:
    rollingUpdate: {maxUnavailable: 0}
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx:1.27
          readinessProbe:
            httpGet: {path: /, port: 80}
          resources:
            limits: {memory: 64Mi}
`

// TestOptionalProbesAndParams: the policy turns on liveness/startup probes
// at their own severities and narrows the resources requirement.
func TestOptionalProbesAndParams(t *testing.T) {
	t.Parallel()
	reg, _ := defaultSetup(t)
	data, err := os.ReadFile(filepath.Join("testdata", "policy", "all-probes.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	pol, err := policy.Parse("all-probes.yaml", data, reg)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range lintBytes(t, lint.Config{Registry: reg, Policy: pol}, "d.yaml", bareDeployment) {
		got[f.RuleID] = f.Severity.String()
	}
	want := map[string]string{"liveness-probe": "warning", "startup-probe": "info"}
	if len(got) != len(want) || got["liveness-probe"] != "warning" || got["startup-probe"] != "info" {
		t.Errorf("findings %v, want %v (resources satisfied by limits.memory alone)", got, want)
	}
	// The default policy requires all four resources.
	var ids []string
	for _, f := range lintBytes(t, lint.Config{}, "d.yaml", bareDeployment) {
		ids = append(ids, f.RuleID)
	}
	if strings.Join(ids, ",") != "resources,resources" {
		t.Errorf("default policy findings %v, want missing requests and limits.cpu", ids)
	}
}

type fakeValidator struct {
	issues []schema.Issue
	err    error
}

func (f fakeValidator) Validate(map[string]any) ([]schema.Issue, error) { return f.issues, f.err }

// noNative leaves every kind to the schema validator, so its results can be
// tested on built-in kinds.
type noNative struct{ lint.NativeValidator }

func (noNative) Handles(string, string) bool { return false }

func TestSchemaResultsBecomeFindings(t *testing.T) {
	t.Parallel()
	doc := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  k: 1\n"
	withV := func(v fakeValidator) lint.Config {
		return lint.Config{NewValidator: func(schema.Options) (lint.Validator, error) { return v, nil }, Native: noNative{}}
	}
	fs := lintBytes(t, withV(fakeValidator{issues: []schema.Issue{{Path: []string{"data", "k"}, Message: "got number, want string"}}}), "c.yaml", doc)
	if len(fs) != 1 || fs[0].RuleID != "schema" || fs[0].Line != 6 || fs[0].Col != 3 || fs[0].Message != "data.k: got number, want string" {
		t.Errorf("schema issue at data.k: %+v, want schema at 6:3", fs)
	}
	fs = lintBytes(t, withV(fakeValidator{err: schema.ErrNoSchema}), "c.yaml", doc)
	if len(fs) != 1 || fs[0].RuleID != "unknown-kind" || fs[0].Line != 2 {
		t.Errorf("no schema: %+v", fs)
	}
	cfg := withV(fakeValidator{err: schema.ErrNoSchema})
	cfg.SkipKinds = []string{"v1/ConfigMap"}
	if fs := lintBytes(t, cfg, "c.yaml", doc); len(fs) != 0 {
		t.Errorf("skipped kind reported: %+v", fs)
	}
	cfg = withV(fakeValidator{err: errors.New("validator broke")})
	cfg.Registry, cfg.Policy = defaultSetup(t)
	cfg.Inputs = []loader.Input{loader.BytesInput("c.yaml", []byte(doc))}
	if _, err := lint.Run(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), "c.yaml:1: validating ConfigMap c: validator broke") {
		t.Errorf("validator failure: %v", err)
	}
}

// TestSecretValuesRedacted: even a schema message that quotes a value does
// not print it.
func TestSecretValuesRedacted(t *testing.T) {
	t.Parallel()
	doc := "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  password: hunter2-not-base64\n"
	v := fakeValidator{issues: []schema.Issue{{Path: []string{"data", "password"}, Message: `"hunter2-not-base64" is not valid base64`}}}
	fs := lintBytes(t, lint.Config{NewValidator: func(schema.Options) (lint.Validator, error) { return v, nil }, Native: noNative{}}, "s.yaml", doc)
	if len(fs) != 2 {
		t.Fatalf("findings %+v", fs)
	}
	for _, f := range fs {
		if strings.Contains(f.Message, "hunter2") {
			t.Errorf("secret value in %s finding: %s", f.RuleID, f.Message)
		}
	}
}

// TestCRDsInTheTree: a CustomResourceDefinition in the linted tree makes
// its custom resources validated like the API server does, whatever the
// schema validator is: its OpenAPI schema as the schema rule, its CEL rules
// as api-validation, each at the field. The CRD object itself still goes
// through the schema validator.
func TestCRDsInTheTree(t *testing.T) {
	t.Parallel()
	rec := &recordingValidator{}
	cfg := lint.Config{NewValidator: func(o schema.Options) (lint.Validator, error) { return rec, nil }}
	doc := `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {kind: Widget, plural: widgets}
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                size: {type: integer, minimum: 1}
                name: {type: string, maxLength: 10, x-kubernetes-validations: [{rule: "self != 'admin'", message: reserved}]}
---
apiVersion: example.com/v1
kind: Widget
metadata:
  name: small
spec:
  size: 0
---
apiVersion: example.com/v1
kind: Widget
metadata:
  name: admin
spec:
  size: 1
  name: admin
`
	var got []string
	for _, f := range lintBytes(t, cfg, "crd.yaml", doc) {
		got = append(got, fmt.Sprintf("%d:%d %s %s", f.Line, f.Col, f.RuleID, f.Message))
	}
	want := []string{
		"28:3 schema spec.size: Invalid value: 0: spec.size in body should be greater than or equal to 1",
		`36:3 api-validation spec.name: Invalid value: "admin": reserved`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("findings\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if strings.Join(rec.kinds, ",") != "CustomResourceDefinition" {
		t.Errorf("schema validator saw %v, want only the CRD", rec.kinds)
	}
}

// recordingValidator records the kinds it is asked about (concurrently, by
// the engine's workers) and finds nothing.
type recordingValidator struct {
	mu    sync.Mutex
	kinds []string
}

func (r *recordingValidator) Validate(obj map[string]any) ([]schema.Issue, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.kinds = append(r.kinds, obj["kind"].(string))
	return nil, nil
}

// TestSuppressionWithReason: a reasoned annotation silences only its rule.
func TestSuppressionWithReason(t *testing.T) {
	t.Parallel()
	doc := strings.Replace(bareDeployment, "  name: web\n", "  name: web\n  annotations:\n    emmdev.dev/ignore-resources: \"sized by the VPA\"\n", 1)
	doc = strings.Replace(doc, "image: nginx:1.27", "image: nginx", 1)
	var ids []string
	for _, f := range lintBytes(t, lint.Config{}, "d.yaml", doc) {
		ids = append(ids, f.RuleID)
	}
	if strings.Join(ids, ",") != "image-latest" {
		t.Errorf("findings %v, want only image-latest", ids)
	}
}

// FuzzLintRules runs every rule over arbitrary documents: malformed shapes
// (containers as a string, volumes as a map...) must never panic a check.
func FuzzLintRules(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*", "*.yaml"))
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers: oops\n      volumes: {a: b}\n"))
	reg, pol := defaultSetup(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg := lint.Config{
			Registry: reg, Policy: pol, Workers: 1,
			Inputs:       []loader.Input{loader.BytesInput("f.yaml", data)},
			NewValidator: func(schema.Options) (lint.Validator, error) { return fakeValidator{}, nil },
			Loader:       loader.Options{MaxAliasNodes: 10_000},
		}
		res, err := lint.Run(context.Background(), cfg)
		if err != nil {
			return
		}
		for _, fd := range res.Findings {
			if fd.Line < 1 || fd.Col < 1 || fd.RuleID == "" {
				t.Fatalf("finding without a position: %+v", fd)
			}
		}
	})
}
