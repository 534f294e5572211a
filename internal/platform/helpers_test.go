package platform

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/emmdev/emmdev/internal/testenv"
)

func renderDir(t testing.TB, rel string) []Object {
	t.Helper()
	objs, err := Render(filepath.Join(testenv.RepoRoot(t), rel))
	if err != nil {
		t.Fatalf("render %s: %v", rel, err)
	}
	return objs
}

// key names an object the way humans read it: Kind/namespace/name.
func key(o Object) string {
	md, _ := o["metadata"].(map[string]any)
	ns, _ := md["namespace"].(string)
	name, _ := md["name"].(string)
	kind, _ := o["kind"].(string)
	return kind + "/" + ns + "/" + name
}

func keys(objs []Object) []string {
	out := make([]string, 0, len(objs))
	for _, o := range objs {
		out = append(out, key(o))
	}
	sort.Strings(out)
	return out
}

// diffSets reports what want has that got lacks and the reverse.
func diffSets(got, want []string) (missing, extra []string) {
	g, w := map[string]bool{}, map[string]bool{}
	for _, s := range got {
		g[s] = true
	}
	for _, s := range want {
		w[s] = true
		if !g[s] {
			missing = append(missing, s)
		}
	}
	for _, s := range got {
		if !w[s] {
			extra = append(extra, s)
		}
	}
	return missing, extra
}

// decodeStrict converts an object into its typed form, failing on fields the
// type does not know: a misspelt field in a manifest is silently dropped by
// the API server, so it is a bug here.
func decodeStrict(t testing.TB, o Object, into any) {
	t.Helper()
	if err := runtime.DefaultUnstructuredConverter.FromUnstructuredWithValidation(o, into, true); err != nil {
		t.Fatalf("%s: %v", key(o), err)
	}
}

// workload is a Deployment or StatefulSet reduced to what the tests check.
type workload struct {
	Kind, Name  string
	Labels      map[string]string
	Template    corev1.PodTemplateSpec
	Deployment  *appsv1.Deployment
	StatefulSet *appsv1.StatefulSet
}

func workloads(t testing.TB, objs []Object) map[string]workload {
	t.Helper()
	out := map[string]workload{}
	for _, o := range objs {
		switch o["kind"] {
		case "Deployment":
			var d appsv1.Deployment
			decodeStrict(t, o, &d)
			out[d.Name] = workload{Kind: "Deployment", Name: d.Name, Labels: d.Labels, Template: d.Spec.Template, Deployment: &d}
		case "StatefulSet":
			var s appsv1.StatefulSet
			decodeStrict(t, o, &s)
			out[s.Name] = workload{Kind: "StatefulSet", Name: s.Name, Labels: s.Labels, Template: s.Spec.Template, StatefulSet: &s}
		}
	}
	return out
}

func services(t testing.TB, objs []Object) map[string]corev1.Service {
	t.Helper()
	out := map[string]corev1.Service{}
	for _, o := range objs {
		if o["kind"] == "Service" {
			var s corev1.Service
			decodeStrict(t, o, &s)
			out[s.Name] = s
		}
	}
	return out
}

func configMap(t testing.TB, objs []Object, name string) corev1.ConfigMap {
	t.Helper()
	for _, o := range objs {
		if o["kind"] == "ConfigMap" && key(o) == "ConfigMap/agentic-ai/"+name {
			var cm corev1.ConfigMap
			decodeStrict(t, o, &cm)
			return cm
		}
	}
	t.Fatalf("ConfigMap %s not rendered", name)
	return corev1.ConfigMap{}
}

func find(objs []Object, k string) (Object, bool) {
	for _, o := range objs {
		if key(o) == k {
			return o, true
		}
	}
	return nil, false
}

func envMap(c corev1.Container) map[string]corev1.EnvVar {
	m := map[string]corev1.EnvVar{}
	for _, e := range c.Env {
		m[e.Name] = e
	}
	return m
}

// containerPort resolves a probe or Service target port (named or numeric)
// against a container's declared ports; 0 when it does not resolve.
func containerPort(c corev1.Container, name string, num int32) int32 {
	for _, p := range c.Ports {
		if (name != "" && p.Name == name) || (name == "" && p.ContainerPort == num) {
			return p.ContainerPort
		}
	}
	return 0
}

func list(s []string) string { return fmt.Sprintf("[%s]", strings.Join(s, ", ")) }
