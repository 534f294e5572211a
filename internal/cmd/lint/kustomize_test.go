package lint_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

type jsonFinding struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Col     int    `json:"column"`
	Rule    string `json:"rule"`
	Object  string `json:"object"`
	Message string `json:"message"`
}

func lintJSON(t *testing.T, wd string, args ...string) (int, []jsonFinding, string) {
	t.Helper()
	r := run(t, wd, "", append([]string{"lint", "-o", "json", "--fail-on", "info"}, args...)...)
	var rep struct {
		Findings []jsonFinding `json:"findings"`
	}
	if r.out != "" {
		if err := json.Unmarshal([]byte(r.out), &rep); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, r.out)
		}
	}
	return r.code, rep.Findings, r.errOut
}

// TestKustomizeLocatesSources: `lint -k deploy/overlays/production` on a
// copy of the repository's layout (base in manifests/, overlay with a
// patch file, an inline patch, an images: transformer and a generator)
// puts each finding in the file and line the user has to edit.
func TestKustomizeLocatesSources(t *testing.T) {
	t.Parallel()
	wd, err := filepath.Abs(filepath.Join("testdata", "kustomize"))
	if err != nil {
		t.Fatal(err)
	}
	code, fs, stderr := lintJSON(t, wd, "-k", "deploy/overlays/production")
	if code != 1 {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
	var got []string
	for _, f := range fs {
		got = append(got, fmt.Sprintf("%s:%d:%d %s", f.File, f.Line, f.Col, f.Rule))
		if _, err := os.Stat(filepath.Join(wd, f.File)); err != nil {
			t.Errorf("finding in a file that does not exist: %+v", f)
		}
	}
	want := []string{
		// The inline patch in kustomization.yaml sets maxUnavailable 25% at 4 replicas.
		"deploy/overlays/production/kustomization.yaml:19:13 rolling-update-downtime",
		// images: newTag: latest, a transformer: its field in the kustomization.
		"deploy/overlays/production/kustomization.yaml:23:1 image-latest",
		// A broken patch: the patch file and line.
		"deploy/overlays/production/worker-image.yaml:12:11 image-latest",
		// A broken base field: the base file and line.
		"manifests/api.yaml:23:13 resources",
	}
	if !slices.Equal(got, want) {
		t.Errorf("findings\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, f := range fs {
		if f.Rule == "image-latest" && strings.HasPrefix(f.Object, "Deployment agentic-ai/api") &&
			!strings.Contains(f.Message, "set by kustomize builtin ImageTagTransformer configured in deploy/overlays/production/kustomization.yaml") {
			t.Errorf("transformer-set field does not say which transformer: %q", f.Message)
		}
		if strings.Contains(f.File, "kustomize output") {
			t.Errorf("finding left on the rendered stream: %+v", f)
		}
	}
}

// TestKustomizeIsOffline: a remote base is refused at its line before
// kustomize could fetch it.
func TestKustomizeIsOffline(t *testing.T) {
	t.Parallel()
	r := run(t, filepath.Join("testdata", "kustomize"), "", "lint", "-k", "remote")
	if r.code != 2 || !strings.Contains(r.errOut, `remote/kustomization.yaml:5:5: resources entry "https://github.com/example/app//deploy?ref=v1.0.0" is not a local path`) {
		t.Fatalf("exit %d %q", r.code, r.errOut)
	}
	if r := run(t, filepath.Join("testdata", "kustomize"), "", "lint", "-k", "manifests/api.yaml"); r.code != 2 {
		t.Fatalf("-k on a file: exit %d %q", r.code, r.errOut)
	}
}

// TestKustomizeStaged: --staged -k renders the kustomization from the git
// index, so a fix that is not staged does not hide the staged mistake.
func TestKustomizeStaged(t *testing.T) {
	t.Parallel()
	dir, git := gitRepo(t)
	src := filepath.Join("testdata", "kustomize")
	for _, f := range []string{"manifests/kustomization.yaml", "manifests/api.yaml", "manifests/worker.yaml",
		"deploy/overlays/production/kustomization.yaml", "deploy/overlays/production/worker-image.yaml"} {
		data, err := os.ReadFile(filepath.Join(src, f))
		if err != nil {
			t.Fatal(err)
		}
		mustWrite(t, filepath.Join(dir, f), string(data))
	}
	git("add", ".")
	// Fix the patch in the work tree only.
	patch := filepath.Join(dir, "deploy/overlays/production/worker-image.yaml")
	data, _ := os.ReadFile(patch)
	mustWrite(t, patch, strings.Replace(string(data), "worker:latest", "worker:2.0.1", 1))
	code, fs, stderr := lintJSON(t, dir, "--staged", "-k", "deploy/overlays/production")
	if code != 1 {
		t.Fatalf("exit %d %s", code, stderr)
	}
	found := false
	for _, f := range fs {
		if f.File == "deploy/overlays/production/worker-image.yaml" && f.Line == 12 && f.Rule == "image-latest" {
			found = true
		}
	}
	if !found {
		t.Errorf("staged patch not linted from the index: %+v", fs)
	}
	// The work tree, without --staged, has the fix.
	code, fs, _ = lintJSON(t, dir, "-k", "deploy/overlays/production")
	for _, f := range fs {
		if strings.Contains(f.File, "worker-image.yaml") {
			t.Errorf("work tree lint still sees the staged content: %+v (exit %d)", f, code)
		}
	}
}
