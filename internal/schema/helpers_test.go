package schema

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// readDocs decodes every non-empty YAML document of a file the way the lint
// loader does (sigs.k8s.io/yaml into map[string]any).
func readDocs(t testing.TB, path string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, raw := range readRawDocs(t, path) {
		var obj map[string]any
		if err := yaml.Unmarshal(raw, &obj); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if obj != nil {
			out = append(out, obj)
		}
	}
	return out
}

func readRawDocs(t testing.TB, path string) [][]byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	var out [][]byte
	for {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out = append(out, doc)
	}
}

func globFixtures(t testing.TB, pattern string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", pattern))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures match %s (%v)", pattern, err)
	}
	return files
}

func mustReadFile(t testing.TB, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func newValidator(t testing.TB, opts Options) *Validator {
	t.Helper()
	v, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return v
}

// withCRDs is a Validator on the embedded schemas plus CRDs converted to
// JSON schema the way the bundle generator converts the SealedSecret CRD.
func withCRDs(t testing.TB, crds ...[]byte) (*Validator, error) {
	t.Helper()
	b, err := ParseBundle(embeddedBundle)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.addCRDs(crds); err != nil {
		return nil, err
	}
	return newFromBundle(b, Options{})
}
