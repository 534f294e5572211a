package celpolicy_test

import (
	"context"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/emmdev/emmdev/internal/lint"
	"github.com/emmdev/emmdev/internal/lint/corpus"
	"github.com/emmdev/emmdev/internal/lint/loader"
	"github.com/emmdev/emmdev/internal/policyload"
)

// benchCorpus lints the 8,000-object corpus the way `emmdev lint` does,
// policy loading included (each iteration is one run). With extra == nil
// it is lint with only the embedded policies; with the ten rules of
// testdata/bench-rules.yaml it shows what they add. It runs in-process
// after a warm-up run, so what a process pays once (start-up, schemes, CEL
// environments) is outside the clock: hack/bench-cel.sh measures the
// binary as a user runs it.
func benchCorpus(b *testing.B, extra []string, cached bool) {
	dir := b.TempDir()
	if _, err := corpus.WriteDir(dir, corpus.BigFiles, corpus.BigObjectsPerFile); err != nil {
		b.Fatal(err)
	}
	inputs, err := loader.Files("", []string{dir}, nil)
	if err != nil {
		b.Fatal(err)
	}
	objects := corpus.BigFiles * corpus.BigObjectsPerFile
	cacheDir := ""
	if cached {
		// What every run but the first after a policy change sees.
		cacheDir = b.TempDir()
		if _, err := policyload.Load(policyload.Options{WorkDir: dir, PolicyFiles: extra, CacheDir: cacheDir}); err != nil {
			b.Fatal(err)
		}
	}
	run := func() {
		l, err := policyload.Load(policyload.Options{WorkDir: dir, PolicyFiles: extra, CacheDir: cacheDir})
		if err != nil {
			b.Fatal(err)
		}
		res, err := lint.Run(context.Background(), lint.Config{Inputs: inputs, Registry: l.Registry, Policy: l.Policy, CEL: l.CEL})
		if err != nil {
			b.Fatal(err)
		}
		if res.Objects != objects || len(res.Findings) != 0 || len(res.Notices) != 0 {
			b.Fatalf("%d objects, %d findings (%v), notices %v", res.Objects, len(res.Findings), res.Findings[:min(1, len(res.Findings))], res.Notices)
		}
	}
	// One run before the clock starts: what a process pays once (schemes,
	// CEL environments) is not what the rules cost per run.
	run()
	b.ReportAllocs()
	cpu0 := cpuTime()
	b.ResetTimer()
	for b.Loop() {
		run()
	}
	b.ReportMetric(float64(objects)*float64(b.N)/b.Elapsed().Seconds(), "objects/s")
	// CPU time is what the work costs whatever else runs on the machine;
	// wall time (ns/op) is what a user waits on an idle one.
	b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
}

// cpuTime is the process's user+system time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkLintCorpusNoCustomRules is the baseline: the built-in rules.
func BenchmarkLintCorpusNoCustomRules(b *testing.B) { benchCorpus(b, nil, false) }

func benchRules(b *testing.B) []string {
	abs, err := filepath.Abs(filepath.Join("testdata", "bench-rules.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	return []string{abs}
}

// BenchmarkLintCorpusTenCELRules adds ten custom CEL rules, checked in an
// earlier run (the check cache knows them).
func BenchmarkLintCorpusTenCELRules(b *testing.B) { benchCorpus(b, benchRules(b), true) }

// BenchmarkLintCorpusTenCELRulesUncached checks the ten rules every run
// (the first run after they changed).
func BenchmarkLintCorpusTenCELRulesUncached(b *testing.B) { benchCorpus(b, benchRules(b), false) }
