package schema

import (
	"errors"
	"os"
	"strings"
	"testing"
)

// The opt-in engine runs kubeconform's own pkg/validator on the embedded
// schemas: same verdicts as the embedded engine, paths as segments, unknown
// kinds as ErrNoSchema, and the export cached.
func TestKubeconformEngine(t *testing.T) {
	t.Parallel()
	cache := t.TempDir()
	kc, err := NewKubeconform(Options{}, cache)
	if err != nil {
		t.Fatal(err)
	}

	for _, f := range globFixtures(t, "valid/*.yaml") {
		for i, obj := range readDocs(t, f) {
			if issues, err := kc.Validate(obj); err != nil || len(issues) > 0 {
				t.Errorf("%s #%d: want valid, got %v %s", f, i, err, fmtIssues(issues))
			}
		}
	}

	obj := readDocs(t, "testdata/invalid/replicas-wrong-type.yaml")[0]
	issues, err := kc.Validate(obj)
	if err != nil {
		t.Fatal(err)
	}
	if len(issues) == 0 || strings.Join(issues[0].Path, "/") != "spec/replicas" {
		t.Errorf("replicas of the wrong type: issues %s, want one at spec/replicas", fmtIssues(issues))
	}

	_, err = kc.Validate(map[string]any{"apiVersion": "example.com/v9", "kind": "Nope", "metadata": map[string]any{"name": "x"}})
	if !errors.Is(err, ErrNoSchema) {
		t.Errorf("unknown kind: err = %v, want ErrNoSchema", err)
	}

	// A second validator reuses the exported copy instead of writing another.
	if _, err := NewKubeconform(Options{}, cache); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(cache)
	if err != nil || len(entries) != 1 || !strings.HasPrefix(entries[0].Name(), "kubeconform-") {
		t.Errorf("cache holds %v (%v), want exactly one kubeconform-<hash> directory", entries, err)
	}
}

func TestPointerSegments(t *testing.T) {
	t.Parallel()
	got := pointerSegments("/metadata/annotations/a~1b~0c")
	if strings.Join(got, "|") != "metadata|annotations|a/b~c" {
		t.Errorf("got %q", got)
	}
	if pointerSegments("") != nil || pointerSegments("/") != nil {
		t.Error("root pointer: want no segments")
	}
}
