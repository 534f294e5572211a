package deploy

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func ids(objs []Object) []string {
	var out []string
	for _, o := range objs {
		out = append(out, o.ID())
	}
	return out
}

func TestLoadDirOrdersByDependency(t *testing.T) {
	t.Parallel()
	objs, err := LoadDir("testdata/plain")
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(ids(objs), ", ")
	want := "Namespace demo, ConfigMap demo/app, Service demo/app, Deployment demo/app"
	if got != want {
		t.Errorf("order = %s\nwant    %s", got, want)
	}
	if objs[3].Source != "testdata/plain/20-app.yaml:3" { // the object, below the comment
		t.Errorf("source = %s", objs[3].Source)
	}
}

func TestLoadDirRendersTheRealKustomization(t *testing.T) {
	t.Parallel()
	objs, err := LoadDir("../../manifests")
	if err != nil {
		t.Fatal(err)
	}
	rank := map[string]int{}
	for i, id := range ids(objs) {
		rank[id] = i
	}
	before := [][2]string{
		{"Namespace agentic-ai", "SealedSecret agentic-ai/confluence-credentials"},
		{"ConfigMap agentic-ai/jd-structure", "Deployment agentic-ai/jd-classifier"},
		{"StatefulSet agentic-ai/redis-cache", "Service agentic-ai/redis-service"},
		{"Service agentic-ai/confluence", "Deployment agentic-ai/confluence"},
		{"ClusterRole emm-prometheus", "StatefulSet agentic-ai/prometheus"},
	}
	for _, b := range before {
		i, ok1 := rank[b[0]]
		j, ok2 := rank[b[1]]
		if !ok1 || !ok2 || i >= j {
			t.Errorf("%s (%d, %v) must come before %s (%d, %v)", b[0], i, ok1, b[1], j, ok2)
		}
	}
}

func TestParseErrorsCarryFileAndLine(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, data, want string
	}{
		{"bad yaml in second document", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n# c\nkind: [\n", "x.yaml:6: did not find expected node content"},
		{"no kind", "apiVersion: v1\nmetadata: {name: a}\n", "x.yaml:1:1: not a Kubernetes object: kind must be a non-empty string"},
		{"no name", "---\napiVersion: v1\nkind: ConfigMap\n", "x.yaml:2: ConfigMap has no metadata.name"},
		{"list item without a name", "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n", "x.yaml:4: ConfigMap has no metadata.name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("x.yaml", []byte(tt.data))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestParseSkipsEmptyAndCommentDocuments(t *testing.T) {
	t.Parallel()
	objs, err := Parse("x.yaml", []byte("---\n# only a comment\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n"))
	if err != nil || len(objs) != 1 || objs[0].Source != "x.yaml:4" {
		t.Fatalf("objs %v, err %v", ids(objs), err)
	}
}

// TestParseExpandsListsLikeLint: up accepts what lint accepts; a kind: List
// (what `kubectl get -o yaml` writes) is applied item by item, each with
// its own line.
func TestParseExpandsListsLikeLint(t *testing.T) {
	t.Parallel()
	data := "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a, namespace: ns}\n" +
		"- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: b, namespace: ns}\n  data: {k: \"1\"}\n"
	objs, err := Parse("list.yaml", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(ids(objs), ", "); got != "ConfigMap ns/a, ConfigMap ns/b" {
		t.Fatalf("objects %s", got)
	}
	if objs[0].Source != "list.yaml:4" || objs[1].Source != "list.yaml:7" {
		t.Errorf("sources %s, %s; want list.yaml:4 and list.yaml:7", objs[0].Source, objs[1].Source)
	}
	if v, _, _ := unstructured.NestedString(objs[1].Object, "data", "k"); v != "1" {
		t.Errorf("data.k = %q", v)
	}
}
