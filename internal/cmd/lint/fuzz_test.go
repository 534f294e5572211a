package lint_test

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzLint lints whole directories: a good manifest next to three files of
// arbitrary content (some YAML, some broken, some not Kubernetes). The run
// must never panic or abort: it exits 0 or 1, the good file's objects are
// always counted, and the SARIF report is valid against the 2.1.0 schema
// with every result in one of the tree's files.
func FuzzLint(f *testing.F) {
	seeds := []string{
		"testdata/corpus/manifests/broken.yaml", "testdata/corpus/manifests/app-settings.yaml",
		"testdata/corpus/manifests/redis.yaml", "testdata/corpus/manifests/secret.yaml",
		"testdata/corpus/deploy/base/deployment.yaml", "testdata/corpus/monitoring/prometheus.yml",
		"testdata/corpus/charts/web/templates/deployment.yaml", "testdata/broken.yaml", "testdata/widget.yaml",
		"../../lint/loader/testdata/hostile/bomb.yaml", "../../lint/loader/testdata/hostile/cycle.yaml",
		"../../lint/loader/testdata/hostile/duplicate-key.yaml", "../../lint/loader/testdata/hostile/binary.yaml",
	}
	var data [][]byte
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		data = append(data, b)
	}
	for i := range data {
		f.Add(data[i], data[(i+1)%len(data)], data[(i+5)%len(data)])
	}
	good, err := os.ReadFile("testdata/clean.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, a, b, c []byte) {
		dir := t.TempDir()
		for name, content := range map[string][]byte{
			"good.yaml": good, "a.yaml": a, "sub/b.yml": b, "sub/deeper/c.json": c,
		} {
			p := filepath.Join(dir, name)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, content, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		r := run(t, dir, "", "lint", "-o", "sarif", ".")
		if r.code != 0 && r.code != 1 {
			t.Fatalf("exit %d (abort), stderr %q", r.code, r.errOut)
		}
		for _, loc := range validSARIF(t, []byte(r.out)) {
			_, file, _ := cutAt(loc)
			if fi, err := os.Stat(filepath.Join(dir, file)); err != nil || fi.IsDir() {
				t.Fatalf("result in %q, not a file of the tree", file)
			}
		}
	})
}

func cutAt(s string) (rule, file string, ok bool) {
	for i := range s {
		if s[i] == '@' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}
