package crdvalidation

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"sigs.k8s.io/yaml"
)

// FuzzCRD feeds arbitrary CRD documents, and a custom resource of the kind
// they declare, through the whole path: no input may panic, and every issue
// must say something. Input: the CRD, "\n---\n", the custom resource.
// Seeds: every fixture (go test runs them; more in testdata/fuzz).
func FuzzCRD(f *testing.F) {
	gadget, err := os.ReadFile("testdata/gadget-crd.yaml")
	if err != nil {
		f.Fatal(err)
	}
	crs, _ := filepath.Glob("testdata/cr/*.yaml")
	for _, p := range crs {
		cr, _ := os.ReadFile(p)
		f.Add(append(append(append([]byte{}, gadget...), "\n---\n"...), cr...))
	}
	crds, _ := filepath.Glob("testdata/crd/*.yaml")
	for _, p := range crds {
		crd, _ := os.ReadFile(p)
		f.Add(append(crd, "\n---\napiVersion: lint.emmdev.dev/v1\nkind: Gizmo\nmetadata: {name: g}\nspec: {size: 1}\n"...))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		crdDoc, crDoc, _ := bytes.Cut(data, []byte("\n---\n"))
		var crd map[string]any
		if yaml.Unmarshal(crdDoc, &crd) != nil || crd == nil {
			return
		}
		s := NewSet(Options{BuiltinGroup: func(g string) bool { return g == "apps" }})
		c := s.Add(crd, "fuzz.yaml:1")
		for _, is := range c.Check() {
			if is.Message == "" || is.Reason == 0 {
				t.Fatalf("empty issue %+v", is)
			}
		}
		c.Usable()
		var cr map[string]any
		if yaml.Unmarshal(crDoc, &cr) != nil || cr == nil {
			return
		}
		apiVersion, _ := cr["apiVersion"].(string)
		kind, _ := cr["kind"].(string)
		if got, ok := s.Lookup(apiVersion, kind); ok {
			for _, is := range got.Validate(cr) {
				if is.Message == "" || is.Reason == 0 {
					t.Fatalf("empty issue %+v", is)
				}
			}
		}
	})
}
