package crdvalidation

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/emmdev/emmdev/internal/schema"
)

// unusableOnlyRE marks a CRD fixture the API server rejects while decoding
// (wrong type, unknown field): the schema check reports the field, so Check
// adds nothing, but the CRD must not be used.
var unusableOnlyRE = regexp.MustCompile(`(?m)^#\s*unusable-only:\s*(.+)$`)

func builtinSet(t testing.TB) *Set {
	t.Helper()
	groups, err := schema.BuiltinGroups()
	if err != nil {
		t.Fatal(err)
	}
	return NewSet(Options{BuiltinGroup: func(g string) bool { return groups[g] }})
}

// TestCRDFixtures checks every testdata/crd fixture as the API server's
// CRD create does: valid ones are usable without issues, invalid ones are
// not used and carry exactly the issues their want lines name.
func TestCRDFixtures(t *testing.T) {
	t.Parallel()
	files, _ := filepath.Glob("testdata/crd/*.yaml")
	files = append(files, "testdata/gadget-crd.yaml")
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			t.Parallel()
			obj, data := readObject(t, f)
			w := wants(t, data)
			only := unusableOnlyRE.FindSubmatch(data)
			valid := !strings.HasPrefix(filepath.Base(f), "invalid-")
			if valid != (len(w) == 0 && only == nil) {
				t.Fatalf("fixture naming: %d want lines, unusable-only %q", len(w), only)
			}
			c := builtinSet(t).Add(obj, f)
			if g := sortWants(got(c.Check())); !matchWants(g, sortWants(w)) {
				t.Errorf("issues:\n%s\nwant:\n%s", fmtWants(g), fmtWants(w))
			}
			ok, why := c.Usable()
			if ok != valid {
				t.Errorf("usable = %v (%s), want %v", ok, why, valid)
			}
			if only != nil && !strings.Contains(why, string(only[1])) {
				t.Errorf("not used because %q, want it to say %q", why, only[1])
			}
		})
	}
}
