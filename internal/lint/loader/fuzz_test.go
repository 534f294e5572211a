package loader

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoad feeds arbitrary bytes to the parser: it must return objects or a
// located *Error, never panic, and every object must answer position queries.
func FuzzLoad(f *testing.F) {
	for _, dir := range []string{"testdata/hostile", "testdata/valid"} {
		entries, err := os.ReadDir(dir)
		if err != nil {
			f.Fatal(err)
		}
		for _, e := range entries {
			data, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		objs, err := Parse("fuzz.yaml", data, Options{MaxAliasNodes: 10_000})
		if err != nil {
			var le *Error
			if !errors.As(err, &le) || le.File != "fuzz.yaml" {
				t.Fatalf("error %T %q is not a located loader error", err, err)
			}
			return
		}
		for _, o := range objs {
			if o.Kind == "" || o.APIVersion == "" {
				t.Fatalf("object without kind/apiVersion: %+v", o.Obj)
			}
			o.Pos("metadata", "name")
			o.Pos("spec", "template", "spec", "containers", "0", "image")
			o.Pos("items", "0", "x")
		}
	})
}
