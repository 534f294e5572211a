package crdvalidation

import (
	"path/filepath"
	"slices"
	"sync"
	"testing"
)

// TestConcurrentUse: the lint engine's workers validate custom resources of
// the same CRD at once, the first of them triggering its compilation. Every
// goroutine must get what a lone call gets (run with -race).
func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	files, _ := filepath.Glob("testdata/cr/*.yaml")
	objs := make([]map[string]any, len(files))
	for i, f := range files {
		objs[i], _ = readObject(t, f)
	}
	_, alone := gadgetSet(t)
	expected := make([][]want, len(objs))
	for i, o := range objs {
		expected[i] = sortWants(got(alone.Validate(o)))
	}

	_, crd := gadgetSet(t) // fresh: compiled by whichever goroutine comes first
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range objs {
				i := (i + g) % len(objs)
				if g := sortWants(got(crd.Validate(objs[i]))); !slices.Equal(g, expected[i]) {
					t.Errorf("%s: concurrent %v, alone %v", files[i], g, expected[i])
				}
			}
		})
	}
	wg.Wait()
}
