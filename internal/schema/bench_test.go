package schema

import (
	"fmt"
	"slices"
	"sync"
	"testing"
)

// fixtureObjects returns every object of the valid and invalid fixtures.
func fixtureObjects(t testing.TB) []map[string]any {
	var objs []map[string]any
	for _, pattern := range []string{"valid/*.yaml", "invalid/*.yaml"} {
		for _, f := range globFixtures(t, pattern) {
			objs = append(objs, readDocs(t, f)...)
		}
	}
	return objs
}

// corpus cycles through the fixtures to n objects: a mix of 20 kinds, like
// an application repository (Validate does not modify objects, so sharing
// them is fine).
func corpus(t testing.TB, n int) []map[string]any {
	base := fixtureObjects(t)
	out := make([]map[string]any, n)
	for i := range out {
		out[i] = base[i%len(base)]
	}
	return out
}

// First use of kinds from many goroutines at once must give the same
// results as sequential use (run with -race).
func TestConcurrentFirstUseMatchesSequential(t *testing.T) {
	t.Parallel()
	objs := fixtureObjects(t)
	seq := newValidator(t, Options{})
	want := make([]string, len(objs))
	for i, o := range objs {
		is, err := seq.Validate(o)
		want[i] = fmt.Sprint(fmtIssues(is), err)
	}
	v := newValidator(t, Options{})
	var wg sync.WaitGroup
	errs := make(chan string, 16*len(objs))
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			order := slices.Clone(objs)
			for k := range order { // each goroutine starts at a different kind
				i := (k + g*3) % len(objs)
				is, err := v.Validate(objs[i])
				if got := fmt.Sprint(fmtIssues(is), err); got != want[i] {
					errs <- fmt.Sprintf("object %d: got %s, want %s", i, got, want[i])
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// Pre-commit size: a new Validator per run (so every used kind is compiled)
// and ~80 objects, what `emmdev lint` does on a typical commit.
func BenchmarkValidateCold80(b *testing.B) {
	objs := corpus(b, 80)
	b.ReportAllocs()
	for b.Loop() {
		v, err := New(Options{})
		if err != nil {
			b.Fatal(err)
		}
		for _, o := range objs {
			if _, err := v.Validate(o); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(len(objs)), "objects/op")
}

// Large repository: 8,000 objects on a warm Validator (schemas compiled).
func BenchmarkValidateWarm8000(b *testing.B) {
	objs := corpus(b, 8000)
	v, err := New(Options{})
	if err != nil {
		b.Fatal(err)
	}
	for _, o := range objs[:100] {
		_, _ = v.Validate(o) // compile every kind before timing
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, o := range objs {
			if _, err := v.Validate(o); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(len(objs)), "objects/op")
}

// New alone: parsing the embedded index, before any kind is compiled.
func BenchmarkNew(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := New(Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
