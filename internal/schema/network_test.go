package schema

import (
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

// failingTransport fails the test on any HTTP request.
type failingTransport struct {
	t     *testing.T
	calls *atomic.Int32
}

func (f failingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	f.calls.Add(1)
	f.t.Errorf("network access attempted: %s %s", r.Method, r.URL)
	return nil, errors.New("network disabled in tests")
}

// Not parallel: it swaps the process-wide default transport.
func TestValidationNeverTouchesTheNetwork(t *testing.T) {
	var calls atomic.Int32
	saved := http.DefaultTransport
	http.DefaultTransport = failingTransport{t, &calls}
	t.Cleanup(func() { http.DefaultTransport = saved })

	// A CRD whose schema points at remote and local files: kubeconform's
	// validator would fetch them; ours must refuse without any I/O.
	hostile := []byte(`
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: evils.emm.dev}
spec:
  group: emm.dev
  names: {kind: Evil, plural: evils}
  versions:
    - name: v1
      served: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec: {$ref: "https://example.com/schema.json"}
            status: {$ref: "file:///etc/passwd"}
`)
	v, err := withCRDs(t, mustReadFile(t, "testdata/crd/widget-crd.yaml"), hostile)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, pattern := range []string{"valid/*.yaml", "invalid/*.yaml", "crd/widget-*valid.yaml"} {
		for _, file := range globFixtures(t, pattern) {
			for _, obj := range readDocs(t, file) {
				if _, err := v.Validate(obj); err != nil {
					t.Errorf("%s: %v", file, err)
				}
				n++
			}
		}
	}
	if n < 20 {
		t.Fatalf("validated only %d objects", n)
	}
	_, err = v.Validate(map[string]any{"apiVersion": "emm.dev/v1", "kind": "Evil", "spec": map[string]any{}})
	if err == nil || !strings.Contains(err.Error(), "not embedded") {
		t.Errorf("remote $ref: err = %v, want a 'not embedded' compile error", err)
	}
	if calls.Load() != 0 {
		t.Errorf("%d HTTP requests made", calls.Load())
	}
}

func TestLoaderServesOnlyEmbeddedDocuments(t *testing.T) {
	t.Parallel()
	l := embeddedLoader{schemaBase + "x": []byte(`{"type":"string"}`)}
	if _, err := l.Load(schemaBase + "x"); err != nil {
		t.Errorf("embedded document: %v", err)
	}
	for _, url := range []string{"https://raw.githubusercontent.com/yannh/kubernetes-json-schema/master/x.json", "file:///etc/passwd", schemaBase + "y"} {
		if _, err := l.Load(url); err == nil {
			t.Errorf("Load(%q) succeeded, want an error", url)
		}
	}
}
