package apivalidation

import (
	"context"
	"slices"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/kubernetes/pkg/api/legacyscheme"

	"github.com/emmdev/emmdev/internal/lint/loader"
)

func parse(t testing.TB, doc string) *loader.Object {
	t.Helper()
	objs, err := loader.Parse("t.yaml", []byte(doc), loader.Options{})
	if err != nil || len(objs) != 1 {
		t.Fatalf("parse: %v (%d objects)", err, len(objs))
	}
	return objs[0]
}

func validate(t testing.TB, v *Validator, doc string) []Issue {
	t.Helper()
	o := parse(t, doc)
	if !v.Handles(o.APIVersion, o.Kind) {
		t.Fatalf("%s %s not handled", o.APIVersion, o.Kind)
	}
	is, err := v.Validate(context.Background(), o.Obj)
	if err != nil {
		t.Fatal(err)
	}
	return is
}

func fields(is []Issue) []string {
	var out []string
	for _, i := range is {
		out = append(out, strings.Join(i.Path, "/"))
	}
	return out
}

func TestHandles(t *testing.T) {
	t.Parallel()
	v := New()
	for _, tt := range []struct {
		apiVersion, kind string
		want             bool
	}{
		{"apps/v1", "Deployment", true},
		{"v1", "Service", true},
		{"autoscaling/v2", "HorizontalPodAutoscaler", true},
		{"events.k8s.io/v1", "Event", true},
		{"apps/v1beta1", "Deployment", false},             // removed in 1.16: not served
		{"scheduling.k8s.io/v1alpha3", "Workload", false}, // alpha: off by default
		{"v1", "Binding", false},                          // a request, not a manifest
		{"example.com/v1", "Widget", false},
		{"apps/v1", "Widget", false},
		{"", "Pod", false},
		{"a/b/c", "Pod", false},
	} {
		if got := v.Handles(tt.apiVersion, tt.kind); got != tt.want {
			t.Errorf("Handles(%q, %q) = %v, want %v", tt.apiVersion, tt.kind, got, tt.want)
		}
	}
}

// TestEveryKindReachesItsStrategy validates an object without a name in
// every served version of every kind in the table: each must come back
// with the API server's "name is required", which proves the version
// decodes, converts and reaches a strategy for its own type (a strategy of
// another type would panic on its type assertion).
func TestEveryKindReachesItsStrategy(t *testing.T) {
	t.Parallel()
	v := New()
	checked := 0
	for gk := range v.kinds {
		for _, gv := range versionsOf(t, gk.Group) {
			apiVersion := schema.GroupVersion{Group: gk.Group, Version: gv.Version}.String()
			if !v.Handles(apiVersion, gk.Kind) {
				continue
			}
			checked++
			doc := "apiVersion: " + apiVersion + "\nkind: " + gk.Kind + "\nmetadata:\n  namespace: default\n"
			is := validate(t, v, doc)
			if gk.Kind == "LimitRange" {
				// Its strategy names it with a UUID (PrepareForCreate).
				if len(is) != 0 {
					t.Errorf("LimitRange without a name: %+v, want none", is)
				}
				continue
			}
			if !slices.ContainsFunc(is, func(i Issue) bool {
				return i.Kind == Invalid && i.Field == "metadata.name" && strings.HasPrefix(i.Message, "Required value")
			}) {
				t.Errorf("%s %s: no metadata.name Required value in %+v", apiVersion, gk.Kind, is)
			}
		}
	}
	if checked < len(v.kinds) {
		t.Errorf("only %d kind versions checked for %d kinds", checked, len(v.kinds))
	}
}

// TestDecodeReportsEveryBadValue: the API server stops at the first value
// it cannot decode; every one is reported here, each at its own path with
// the decoder's message, and unknown fields are still found around them.
func TestDecodeReportsEveryBadValue(t *testing.T) {
	t.Parallel()
	is := validate(t, New(), `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {enabled: yes}
spec:
  replicas: "3"
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: nginx:1.27
          resources: {limits: {memory: 12 parsecs}}
          ports: [{containerPort: 80, protocolx: TCP}]
          env: [{name: A, value: 1}]
`)
	want := map[string]string{
		"metadata/labels/enabled": "json: cannot unmarshal bool into Go struct field ObjectMeta.metadata.labels of type string",
		"spec/replicas":           "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32",
		"spec/template/spec/containers/0/resources/limits/memory": "quantities must match the regular expression",
		"spec/template/spec/containers/0/env/0/value":             "json: cannot unmarshal number into Go struct field EnvVar.spec.template.spec.containers.env.value of type string",
		"spec/template/spec/containers/0/ports/0/protocolx":       `unknown field "spec.template.spec.containers[0].ports[0].protocolx"`,
	}
	if len(is) != len(want) {
		t.Errorf("issues %v, want %d", fields(is), len(want))
	}
	for _, i := range is {
		p := strings.Join(i.Path, "/")
		if w, ok := want[p]; !ok || !strings.HasPrefix(i.Message, w) {
			t.Errorf("%s: %q, want %q", p, i.Message, w)
		}
		if i.Kind == Invalid {
			t.Errorf("validation ran after a decode error: %+v", i)
		}
	}
}

// TestCreatePath: what the API server does around the strategy.
func TestCreatePath(t *testing.T) {
	t.Parallel()
	v := New()
	tests := []struct {
		name, doc string
		want      []string // Field: Message prefix
	}{
		{"namespace filled like kubectl", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n", nil},
		{"cluster-scoped with a namespace", "apiVersion: v1\nkind: Namespace\nmetadata: {name: a, namespace: b}\n", nil},
		{"generateName", "apiVersion: v1\nkind: ConfigMap\nmetadata: {generateName: cfg-}\n", nil},
		{"generateName invalid", "apiVersion: v1\nkind: ConfigMap\nmetadata: {generateName: Cfg_}\n",
			[]string{"metadata.generateName: Invalid value", `metadata.name: Invalid value: "Cfg_`}}, // and the name made from it
		{"no name", "apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n",
			[]string{"metadata.name: Required value: name or generateName is required"}},
		{"status is dropped on create", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: a, image: b}]}\nstatus: {phase: Exploded}\n", nil},
		{"privileged container (kube-apiserver --allow-privileged=true, as kind runs it)", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: a, image: b, securityContext: {privileged: true}}]}\n", nil},
		{"headless service", "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {clusterIP: None, selector: {app: a}, ports: [{port: 80}]}\n", nil},
		{"declarative validation", "apiVersion: v1\nkind: ReplicationController\nmetadata: {name: r}\nspec:\n  replicas: -1\n  selector: {app: a}\n  template: {metadata: {labels: {app: a}}, spec: {containers: [{name: a, image: b}]}}\n",
			[]string{"spec.replicas: Invalid value: -1: must be greater than or equal to 0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			is := validate(t, v, tt.doc)
			var got []string
			for _, i := range is {
				got = append(got, i.Field+": "+i.Message)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("issues %q, want %q", got, tt.want)
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tt.want[i]) {
					t.Errorf("issue %q, want %q", got[i], tt.want[i])
				}
			}
		})
	}
}

func TestResolvePath(t *testing.T) {
	t.Parallel()
	obj := map[string]any{
		"metadata": map[string]any{"labels": map[string]any{"app.kubernetes.io/name": "x", "a]b": "y"}},
		"spec":     map[string]any{"containers": []any{map[string]any{"ports": []any{map[string]any{}, map[string]any{"name": "p"}}}}},
		"data":     map[string]any{"a.b.c": "1"},
	}
	for _, tt := range []struct {
		field string
		want  []string
	}{
		{"", []string{}},
		{"<nil>", []string{}},
		{"spec.containers[0].ports[1].name", []string{"spec", "containers", "0", "ports", "1", "name"}},
		{"metadata.labels[app.kubernetes.io/name]", []string{"metadata", "labels", "app.kubernetes.io/name"}},
		{"metadata.labels[a]b]", []string{"metadata", "labels", "a]b"}},
		{"data.a.b.c", []string{"data", "a.b.c"}}, // strict decoding joins keys with dots
		{"spec.containers[0].image", []string{"spec", "containers", "0", "image"}},
		{"spec.containers[5].image", []string{"spec", "containers", "5", "image"}},
		{"overhead.limits[cpu]", []string{"overhead", "limits", "cpu"}},
	} {
		if got := resolvePath(obj, tt.field); !slices.Equal(got, tt.want) {
			t.Errorf("resolvePath(%q) = %q, want %q", tt.field, got, tt.want)
		}
	}
}

// FuzzValidate feeds arbitrary manifests of built-in kinds through the
// whole create path: never a panic, and every issue's path is a path into
// the object (or nil) that the loader can place.
func FuzzValidate(f *testing.F) {
	seeds := []string{
		"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: yes, template: {spec: {containers: [{name: a, ports: [{containerPort: x}]}]}}}\n",
		"apiVersion: v1\nkind: Pod\nmetadata: {name: p, labels: {a: 1}}\nspec: {containers: {}}\n",
		"apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: 1.5, targetPort: [1]}], clusterIP: None}\n",
		"apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec: {schedule: '@every 1h', jobTemplate: 3}\n",
		"apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {a: '!!!'}\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: [1]\n",
		"apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: i}\nspec: {rules: [{host: '*.a', http: {paths: [{path: x}]}}]}\n",
		"apiVersion: v1\nkind: Namespace\nmetadata: null\n",
		"apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q}\nspec: {hard: {pods: 1e400x}}\n",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	v := New()
	f.Fuzz(func(t *testing.T, doc string) {
		objs, err := loader.Parse("f.yaml", []byte(doc), loader.Options{MaxAliasNodes: 10_000})
		if err != nil {
			return
		}
		for _, o := range objs {
			if !v.Handles(o.APIVersion, o.Kind) {
				continue
			}
			is, err := v.Validate(context.Background(), o.Obj)
			if err != nil {
				t.Fatalf("validate: %v", err)
			}
			for _, i := range is {
				if i.Message == "" || i.Kind < Decode || i.Kind > Invalid {
					t.Fatalf("incomplete issue %+v", i)
				}
				if line, _ := o.Pos(i.Path...); line < 1 {
					t.Fatalf("issue %+v has no line", i)
				}
			}
		}
	})
}

// versionsOf lists the versions of an API group, registering it first.
func versionsOf(t *testing.T, group string) []schema.GroupVersion {
	t.Helper()
	if err := rlockGroup(group); err != nil {
		t.Fatal(err)
	}
	defer schemeMu.RUnlock()
	return legacyscheme.Scheme.PrioritizedVersionsForGroup(group)
}
