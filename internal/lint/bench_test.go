package lint_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/emmdev/emmdev/internal/lint"
	"github.com/emmdev/emmdev/internal/lint/corpus"
	"github.com/emmdev/emmdev/internal/lint/loader"
)

// benchLint lints dir with the default policy (every default rule on, schema
// validation included) and fails the benchmark on findings, so it measures
// a realistic clean run rather than error formatting.
func benchLint(b *testing.B, dir string, objects int) {
	reg, pol := defaultSetup(b)
	inputs, err := loader.Files("", []string{dir}, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		res, err := lint.Run(context.Background(), lint.Config{Inputs: inputs, Registry: reg, Policy: pol})
		if err != nil {
			b.Fatal(err)
		}
		if res.Objects != objects || len(res.Findings) != 0 {
			b.Fatalf("%d objects, %d findings (first: %v)", res.Objects, len(res.Findings), res.Findings[:min(1, len(res.Findings))])
		}
	}
	b.ReportMetric(float64(objects)*float64(b.N)/b.Elapsed().Seconds(), "objects/s")
}

// BenchmarkLintCorpus is the repository-sized case: 8,000 objects in 100 files.
func BenchmarkLintCorpus(b *testing.B) {
	dir := b.TempDir()
	if _, err := corpus.WriteDir(dir, corpus.BigFiles, corpus.BigObjectsPerFile); err != nil {
		b.Fatal(err)
	}
	benchLint(b, dir, corpus.BigFiles*corpus.BigObjectsPerFile)
}

// BenchmarkLintFile is the pre-commit-sized case: one file of ~80 objects.
func BenchmarkLintFile(b *testing.B) {
	dir := b.TempDir()
	if _, err := corpus.WriteDir(dir, 1, corpus.SmallObjects); err != nil {
		b.Fatal(err)
	}
	benchLint(b, filepath.Join(dir, "app-000.yaml"), corpus.SmallObjects)
}

// BenchmarkLoad isolates parsing (YAML to positioned objects).
func BenchmarkLoad(b *testing.B) {
	dir := b.TempDir()
	if _, err := corpus.WriteDir(dir, corpus.BigFiles, corpus.BigObjectsPerFile); err != nil {
		b.Fatal(err)
	}
	inputs, err := loader.Files("", []string{dir}, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := loader.Load(context.Background(), inputs, loader.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
