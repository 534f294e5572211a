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

// A CRD declaring a built-in kind never takes its place: Lookup does not
// find it, so the built-in checks stay.
func TestBuiltinKindIsNotReplaced(t *testing.T) {
	t.Parallel()
	s := builtinSet(t)
	obj, _ := readObject(t, "testdata/crd/invalid-builtin-group-approved.yaml")
	s.Add(obj, "ingress-crd.yaml:1")
	obj, _ = readObject(t, "testdata/crd/invalid-builtin-group.yaml")
	s.Add(obj, "deployment-crd.yaml:1")
	for _, gv := range [][2]string{{"networking.k8s.io/v1", "Ingress"}, {"apps/v1", "Deployment"}} {
		if c, ok := s.Lookup(gv[0], gv[1]); ok {
			t.Errorf("%s %s is looked up in CRD %s", gv[0], gv[1], c.Name())
		}
	}
}

// Two CRDs declaring the same kind: the first is used, the second is
// reported where it declares the kind.
func TestDuplicateKind(t *testing.T) {
	t.Parallel()
	s := NewSet(Options{})
	first, _ := readObject(t, "testdata/gadget-crd.yaml")
	second, _ := readObject(t, "testdata/gadget-crd.yaml")
	second["metadata"] = map[string]any{"name": "gadgets2.lint.emmdev.dev"}
	a := s.Add(first, "a.yaml:1")
	b := s.Add(second, "b.yaml:7")
	if c, _ := s.Lookup("lint.emmdev.dev/v1", "Gadget"); c != a {
		t.Errorf("Lookup gave %s, want the first CRD", c.Name())
	}
	issues := b.Check()
	want := "spec.names.kind: lint.emmdev.dev/Gadget is already declared by CustomResourceDefinition gadgets.lint.emmdev.dev (a.yaml:1); this one is not used"
	if len(issues) == 0 || issues[0].Reason != Unusable || issues[0].Message != want || strings.Join(issues[0].Path, ".") != "spec.names.kind" {
		t.Errorf("second CRD: %+v, want %q", issues, want)
	}
	// The same CRD twice (a copy elsewhere in the tree) is not a conflict.
	again := s.Add(first, "c.yaml:1")
	if len(again.Check()) != 0 {
		t.Errorf("same CRD again: %v", again.Check())
	}
}
