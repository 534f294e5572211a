package limits

import (
	"strings"
	"testing"
)

func parseOne(t *testing.T, src string) (*Workload, []byte) {
	t.Helper()
	docs, err := ParseFile("x.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var ws []*Workload
	for _, d := range docs {
		ws = append(ws, Workloads(d)...)
	}
	if len(ws) != 1 {
		t.Fatalf("want one workload, got %d", len(ws))
	}
	return ws[0], []byte(src)
}

func container(w *Workload, name string) *Container {
	for _, c := range w.Containers {
		if c.Name == name {
			return c
		}
	}
	return nil
}

const deployment = `# top comment
apiVersion: apps/v1
kind: Deployment
metadata:
  name: classifier   # trailing comment
  namespace: agentic-ai
spec:
  selector:
    matchLabels: {app: classifier}
  template:
    metadata:
      labels: {app: classifier}
    spec:
      initContainers:
        - name: fetch-model
          resources:
            requests: {cpu: 100m, memory: 64Mi}
            limits: {cpu: 200m, memory: 128Mi}
      containers:
        - name: classifier
          image: x:1
          resources:
            requests:
              memory: 2Gi
              cpu: "1"
            limits:
              memory: 1Gi    # the seed's too-small limit
              cpu: '2'
          ports: [{containerPort: 8080}]
        - name: sidecar
          resources:
            requests:
              cpu: 10m
              memory: 16Mi
`

func TestWorkloadsFindContainersAndValues(t *testing.T) {
	t.Parallel()
	w, _ := parseOne(t, deployment)
	if w.Kind != "Deployment" || w.Name != "classifier" || w.Namespace != "agentic-ai" || w.Selector["app"] != "classifier" || w.Line != 2 {
		t.Errorf("workload = %+v", w)
	}
	if len(w.Containers) != 3 || !w.Containers[0].Init || w.Containers[1].Name != "classifier" || w.Containers[1].Line != 20 {
		t.Fatalf("containers = %+v", w.Containers)
	}
	c := w.Containers[1]
	for _, tc := range [][3]string{{"requests", "memory", "2Gi"}, {"requests", "cpu", "1"}, {"limits", "memory", "1Gi"}, {"limits", "cpu", "2"}} {
		if v, _ := c.Value(tc[0], tc[1]); v != tc[2] {
			t.Errorf("%s.%s = %q, want %q", tc[0], tc[1], v, tc[2])
		}
	}
	if v, _ := w.Containers[2].Value("limits", "memory"); v != "" {
		t.Errorf("sidecar has no limits, got %q", v)
	}
}

func TestApplyChangesOnlyTheValues(t *testing.T) {
	t.Parallel()
	w, data := parseOne(t, deployment)
	out, err := Apply("x.yaml", data, []Edit{
		{container(w, "classifier"), "limits", Memory, "4Gi"},
		{container(w, "classifier"), "limits", CPU, "2500m"},
		{container(w, "fetch-model"), "limits", Memory, "256Mi"},
		{container(w, "sidecar"), "limits", CPU, "20m"},
		{container(w, "sidecar"), "limits", Memory, "32Mi"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := strings.NewReplacer(
		"memory: 1Gi    # the seed's too-small limit", "memory: 4Gi    # the seed's too-small limit",
		"cpu: '2'", "cpu: '2500m'",
		"limits: {cpu: 200m, memory: 128Mi}", "limits: {cpu: 200m, memory: 256Mi}",
		"              memory: 16Mi\n", "              memory: 16Mi\n            limits:\n              cpu: 20m\n              memory: 32Mi\n",
	).Replace(deployment)
	if string(out) != want {
		t.Errorf("got:\n%s\nwant:\n%s", out, want)
	}
	// The result parses back to the new values.
	w2, _ := parseOne(t, string(out))
	if v, _ := container(w2, "classifier").Value("limits", "memory"); v != "4Gi" {
		t.Errorf("reparsed memory limit = %q", v)
	}
	if v, _ := container(w2, "sidecar").Value("limits", "cpu"); v != "20m" {
		t.Errorf("reparsed sidecar cpu limit = %q", v)
	}
}

func TestApplyAddsAKeyToAnExistingBlock(t *testing.T) {
	t.Parallel()
	src := "kind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    resources:\n      limits:\n        cpu: 1\n    # a comment after\n    image: x\n"
	w, data := parseOne(t, src)
	out, err := Apply("x.yaml", data, []Edit{{w.Containers[0], "limits", Memory, "320Mi"}})
	if err != nil {
		t.Fatal(err)
	}
	want := "kind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    resources:\n      limits:\n        cpu: 1\n        memory: 320Mi\n    # a comment after\n    image: x\n"
	if string(out) != want {
		t.Errorf("got:\n%s\nwant:\n%s", out, want)
	}
}

func TestApplyRefusesWhatItCannotEditSafely(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"no resources":    "kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: x\n",
		"flow resources":  "kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    resources: {}\n",
		"flow limits add": "kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    resources:\n      limits: {cpu: 1}\n",
	}
	for name, src := range cases {
		w, data := parseOne(t, src)
		_, err := Apply("x.yaml", data, []Edit{{w.Containers[0], "limits", Memory, "1Gi"}})
		if err == nil || !strings.Contains(err.Error(), "x.yaml:") || !strings.Contains(err.Error(), "add it by hand") {
			t.Errorf("%s: err = %v, want a file:line refusal", name, err)
		}
	}
}

func TestParseErrorHasFileAndLine(t *testing.T) {
	t.Parallel()
	// The flow list opens on line 3 (yaml.v3's parser would say line 2).
	_, err := ParseFile("bad.yaml", []byte("kind: Pod\nmetadata:\n  name: [unclosed\n  labels: {}\n"))
	if err == nil || err.Error() != "bad.yaml:3: did not find expected ',' or ']'" {
		t.Errorf("err = %v, want bad.yaml:3: did not find expected ',' or ']'", err)
	}
}
