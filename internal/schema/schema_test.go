package schema

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestValidFixturesHaveNoIssues(t *testing.T) {
	t.Parallel()
	// One validator for all subtests: also exercises concurrent first use.
	v := newValidator(t, Options{})
	for _, file := range globFixtures(t, "valid/*.yaml") {
		t.Run(filepath.Base(file), func(t *testing.T) {
			t.Parallel()
			for _, obj := range readDocs(t, file) {
				issues, err := v.Validate(obj)
				if err != nil {
					t.Fatalf("%s: %v", obj["kind"], err)
				}
				if len(issues) > 0 {
					t.Errorf("%s: unexpected issues: %+v", obj["kind"], issues)
				}
			}
		})
	}
}

func TestInvalidFixtures(t *testing.T) {
	t.Parallel()
	v := newValidator(t, Options{})
	tests := []struct {
		file string
		want []Issue // exact, in order
	}{
		{"replicas-wrong-type.yaml", []Issue{
			{Path: []string{"spec", "replicas"}, Message: "wrong type: got string, want integer"},
		}},
		{"container-unknown-field.yaml", []Issue{
			{Path: []string{"spec", "template", "spec", "containers", "0", "imagePullPolcy"}, Message: `unknown field "imagePullPolcy"`},
		}},
		{"root-unknown-field.yaml", []Issue{
			{Path: []string{"specs"}, Message: `unknown field "specs"`},
		}},
		{"container-missing-name.yaml", []Issue{
			{Path: []string{"spec", "template", "spec", "containers", "0"}, Message: `missing required field "name"`},
		}},
		{"memory-quantity.yaml", []Issue{
			{Path: []string{"spec", "template", "spec", "containers", "0", "resources", "limits", "memory"}, Message: "not a valid quantity (examples: 500m, 2, 256Mi, 1Gi)"},
		}},
		{"targetport-wrong-type.yaml", []Issue{
			{Path: []string{"spec", "ports", "0", "targetPort"}, Message: "wrong type: got boolean, want integer or string"},
		}},
		{"secret-plaintext-data.yaml", []Issue{
			{Path: []string{"data", "password"}, Message: "not valid base64 (values here must be base64-encoded)"},
		}},
		{"sealedsecret-missing-encrypteddata.yaml", []Issue{
			{Path: []string{"spec"}, Message: `missing required field "encryptedData"`},
		}},
		{"sealedsecret-unknown-field.yaml", []Issue{
			{Path: []string{"metadata", "labelz"}, Message: `unknown field "labelz"`},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			docs := readDocs(t, filepath.Join("testdata", "invalid", tc.file))
			if len(docs) != 1 {
				t.Fatalf("fixture has %d documents, want 1", len(docs))
			}
			got, err := v.Validate(docs[0])
			if err != nil {
				t.Fatal(err)
			}
			if !slices.EqualFunc(got, tc.want, issueEqual) {
				t.Errorf("issues:\n got  %s\n want %s", fmtIssues(got), fmtIssues(tc.want))
			}
		})
	}
}

func TestSecretValuesNeverInIssues(t *testing.T) {
	t.Parallel()
	v := newValidator(t, Options{})
	const secret = "correct horse battery staple!"
	obj := map[string]any{
		"apiVersion": "v1", "kind": "Secret",
		"metadata": map[string]any{"name": "s"},
		"type":     []any{secret}, // wrong type
		"data":     map[string]any{"password": secret, "other": 42},
	}
	issues, err := v.Validate(obj)
	if err != nil {
		t.Fatal(err)
	}
	if len(issues) < 3 {
		t.Fatalf("want an issue per bad field, got %s", fmtIssues(issues))
	}
	for _, is := range issues {
		if strings.Contains(is.Message, "horse") || strings.Contains(strings.Join(is.Path, "/"), "horse") {
			t.Errorf("issue leaks the secret value: %+v", is)
		}
	}
}

func TestMissingOrBadTypeFields(t *testing.T) {
	t.Parallel()
	v := newValidator(t, Options{})
	tests := []struct {
		name string
		obj  map[string]any
		want []Issue
	}{
		{"no kind", map[string]any{"apiVersion": "v1"},
			[]Issue{{Message: `missing required field "kind"`}}},
		{"no apiVersion", map[string]any{"kind": "Pod"},
			[]Issue{{Message: `missing required field "apiVersion"`}}},
		{"kind not a string", map[string]any{"apiVersion": "v1", "kind": 3.0},
			[]Issue{{Path: []string{"kind"}, Message: "wrong type: got number, want string"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := v.Validate(tc.obj)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.EqualFunc(got, tc.want, issueEqual) {
				t.Errorf("got %s, want %s", fmtIssues(got), fmtIssues(tc.want))
			}
		})
	}
}

func TestUnknownKindIsErrNoSchema(t *testing.T) {
	t.Parallel()
	v := newValidator(t, Options{})
	tests := []struct {
		apiVersion, kind, hint string
	}{
		{"extensions/v1beta1", "Deployment", "knows it in: apps/v1"},
		{"example.com/v1", "Gizmo", "pass its CustomResourceDefinition"},
		{"apps/v1", "deployment", "pass its CustomResourceDefinition"}, // kinds are case-sensitive
	}
	for _, tc := range tests {
		t.Run(tc.apiVersion+" "+tc.kind, func(t *testing.T) {
			t.Parallel()
			issues, err := v.Validate(map[string]any{"apiVersion": tc.apiVersion, "kind": tc.kind})
			if !errors.Is(err, ErrNoSchema) {
				t.Fatalf("err = %v (issues %v), want ErrNoSchema", err, issues)
			}
			if !strings.Contains(err.Error(), tc.hint) {
				t.Errorf("error %q lacks hint %q", err, tc.hint)
			}
		})
	}
}

// The kinds EMM's manifests/ and typical app repos use must all be embedded
// and compile.
func TestEmbeddedKindsComplete(t *testing.T) {
	t.Parallel()
	v := newValidator(t, Options{})
	kinds := []string{
		"v1 Namespace", "v1 ConfigMap", "v1 Secret", "v1 Service", "v1 ServiceAccount",
		"v1 PersistentVolumeClaim", "v1 PersistentVolume", "v1 Pod", "v1 LimitRange", "v1 ResourceQuota",
		"apps/v1 Deployment", "apps/v1 StatefulSet", "apps/v1 DaemonSet",
		"batch/v1 Job", "batch/v1 CronJob",
		"rbac.authorization.k8s.io/v1 ClusterRole", "rbac.authorization.k8s.io/v1 ClusterRoleBinding",
		"rbac.authorization.k8s.io/v1 Role", "rbac.authorization.k8s.io/v1 RoleBinding",
		"networking.k8s.io/v1 Ingress", "networking.k8s.io/v1 NetworkPolicy",
		"autoscaling/v2 HorizontalPodAutoscaler", "policy/v1 PodDisruptionBudget",
		"apiextensions.k8s.io/v1 CustomResourceDefinition", "bitnami.com/v1alpha1 SealedSecret",
	}
	for _, k := range kinds {
		apiVersion, kind, _ := strings.Cut(k, " ")
		if _, err := v.schemaFor(apiVersion, kind); err != nil {
			t.Errorf("%s: %v", k, err)
		}
	}
}

// Every object of the repository's manifests/ must have an embedded schema.
func TestManifestsKindsAreEmbedded(t *testing.T) {
	t.Parallel()
	files, _ := filepath.Glob(filepath.Join("..", "..", "manifests", "*.yaml"))
	if len(files) == 0 {
		t.Fatal("no manifests/*.yaml found")
	}
	v := newValidator(t, Options{})
	seen := 0
	for _, file := range files {
		for _, obj := range readDocs(t, file) {
			if obj["kind"] == "Kustomization" {
				continue // a kustomize build file, never applied to a cluster
			}
			seen++
			if _, err := v.Validate(obj); err != nil {
				t.Errorf("%s: %s %s: %v", file, obj["apiVersion"], obj["kind"], err)
			}
		}
	}
	if seen < 10 {
		t.Errorf("only %d objects in manifests/, expected the EMM stack", seen)
	}
}

func TestKubernetesVersionOption(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		version string
		ok      bool
	}{
		{"", true}, {"1.37", true}, {"1.37.2", true}, {"v1.37.2", true}, {"1.37.0", true},
		{"1.36.1", false}, {"1.3", false}, {"garbage", false},
	} {
		_, err := New(Options{KubernetesVersion: tc.version})
		if (err == nil) != tc.ok {
			t.Errorf("KubernetesVersion %q: err = %v, want ok=%v", tc.version, err, tc.ok)
		}
	}
}

func issueEqual(a, b Issue) bool { return a.Message == b.Message && slices.Equal(a.Path, b.Path) }

func fmtIssues(list []Issue) string {
	var parts []string
	for _, is := range list {
		parts = append(parts, fmt.Sprintf("[%s] %s", strings.Join(is.Path, "."), is.Message))
	}
	return "{" + strings.Join(parts, "; ") + "}"
}
