package schema

import (
	"path/filepath"
	"testing"

	"github.com/yannh/kubeconform/pkg/resource"
	"github.com/yannh/kubeconform/pkg/validator"
)

// kubeconform's own validator, reading the embedded schemas exported in its
// layout, must reach the same verdict as ours on every fixture: the two
// tools validate against the same schemas (the benchmark relies on it).
func TestKubeconformAgreesOnExportedSchemas(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	used := map[string]bool{}
	var files []string
	for _, pattern := range []string{"valid/*.yaml", "invalid/*.yaml"} {
		files = append(files, globFixtures(t, pattern)...)
	}
	for _, f := range files {
		for _, obj := range readDocs(t, f) {
			used[kindKey(obj["apiVersion"].(string), obj["kind"].(string))] = true
		}
	}
	loc, err := ExportKubeconform(dir, func(apiVersion, kind string) bool { return used[kindKey(apiVersion, kind)] })
	if err != nil {
		t.Fatal(err)
	}
	kc, err := validator.New([]string{loc}, validator.Opts{Strict: true, KubernetesVersion: DefaultKubernetesVersion()})
	if err != nil {
		t.Fatal(err)
	}
	ours := newValidator(t, Options{})

	// Deliberate differences: we also check base64 ("byte" format), which
	// kubeconform's compiler ignores.
	oursStricter := map[string]bool{"secret-plaintext-data.yaml": true}

	for _, f := range files {
		for i, raw := range readRawDocs(t, f) {
			res := kc.ValidateResource(resource.Resource{Path: f, Bytes: raw})
			if res.Status != validator.Valid && res.Status != validator.Invalid {
				t.Errorf("%s #%d: kubeconform status %d: %v", f, i, res.Status, res.Err)
				continue
			}
			issues, err := ours.Validate(readDocs(t, f)[i])
			if err != nil {
				t.Fatalf("%s #%d: %v", f, i, err)
			}
			kcValid, ourValid := res.Status == validator.Valid, len(issues) == 0
			if oursStricter[filepath.Base(f)] {
				if !kcValid || ourValid {
					t.Errorf("%s #%d: expected only us to flag it (kubeconform valid=%v, ours valid=%v)", f, i, kcValid, ourValid)
				}
				continue
			}
			if kcValid != ourValid {
				t.Errorf("%s #%d: kubeconform valid=%v (%v), ours valid=%v (%s)", f, i, kcValid, res.ValidationErrors, ourValid, fmtIssues(issues))
			}
		}
	}
}
