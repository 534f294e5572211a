package celpolicy_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/emmdev/emmdev/internal/celpolicy"
)

// FuzzParse feeds arbitrary bytes to the policy file parser: it must never
// panic, and every error must carry the file name (and a position). The
// seeds are every policy file of the repository and of testdata, so
// `go test` runs them all.
func FuzzParse(f *testing.F) {
	var seeds []string
	for _, pattern := range []string{"testdata/*/*.yaml", "../../policies/*.yaml", "../../policies/examples/*.yaml"} {
		m, _ := filepath.Glob(pattern)
		seeds = append(seeds, m...)
	}
	for _, s := range seeds {
		data, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("apiVersion: emmdev.dev/v1alpha1\nkind: CELPolicy\n"))
	f.Add([]byte("- [\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		pols, err := celpolicy.Parse(celpolicy.Source{Name: "fuzz.yaml", Data: data})
		if err != nil {
			var pe *celpolicy.Error
			if !errors.As(err, &pe) || pe.File != "fuzz.yaml" {
				t.Fatalf("error without the file: %T %v", err, err)
			}
			return
		}
		if len(pols) == 0 {
			t.Fatal("no policy and no error")
		}
		for _, p := range pols {
			if p.Name == "" || p.MatchConstraints == nil || len(p.Rules) == 0 {
				t.Fatalf("incomplete policy accepted: %+v", p)
			}
			for _, r := range p.Rules {
				if r.ID == "" || r.Validation.Expression == "" || r.Pos.Line == 0 {
					t.Fatalf("incomplete rule accepted: %+v", r)
				}
			}
		}
	})
}
