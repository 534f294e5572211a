package lint_test

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/emmdev/emmdev/internal/lint"
	"github.com/emmdev/emmdev/internal/lint/loader"
	"github.com/emmdev/emmdev/internal/policyload"
)

// TestDeferredTwinsChangeNothing: lint leaves the shipped CELPolicy files
// (the built-in rules' admission twins) unloaded, and reports exactly what
// it reports with them loaded, on every lint fixture and on manifests/.
func TestDeferredTwinsChangeNothing(t *testing.T) {
	t.Parallel()
	root, err := filepath.Abs(filepath.Join("..", "..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	load := func(deferShipped bool) *policyload.Loaded {
		l, err := policyload.Load(policyload.Options{WorkDir: root, DeferShipped: deferShipped})
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	deferred, eager := load(true), load(false)
	if deferred.CEL != nil || eager.CEL == nil || len(eager.CEL.Rules) == 0 {
		t.Fatalf("the repository's policies must be the shipped ones, deferred by lint: deferred %v, eager %v", deferred.CEL, eager.CEL)
	}
	dirs, err := filepath.Glob(filepath.Join(root, "internal", "lint", "testdata", "*"))
	if err != nil || len(dirs) < 10 {
		t.Fatalf("fixtures: %v %v", dirs, err)
	}
	dirs = append(dirs, filepath.Join(root, "manifests"))
	for _, dir := range dirs {
		rel, _ := filepath.Rel(root, dir)
		t.Run(rel, func(t *testing.T) {
			t.Parallel()
			run := func(l *policyload.Loaded) *lint.Result {
				inputs, _, err := loader.Expand(root, []string{rel}, nil, nil)
				if err != nil {
					t.Fatal(err)
				}
				res, err := lint.Run(context.Background(), lint.Config{Inputs: inputs, Registry: l.Registry, Policy: l.Policy, CEL: l.CEL})
				if err != nil {
					t.Fatal(err)
				}
				return res
			}
			got, want := run(deferred), run(eager)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("with the twins deferred:\n%+v\nloaded:\n%+v", got, want)
			}
			if rel == "manifests" && got.Objects < 20 {
				t.Errorf("linted %d objects of manifests/", got.Objects)
			}
		})
	}
}
