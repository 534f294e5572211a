package crdvalidation

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/emmdev/emmdev/internal/schema"
)

// embeddedSet is a Set holding only the CRDs emmdev ships.
func embeddedSet(t testing.TB) *Set {
	t.Helper()
	docs, err := schema.EmbeddedCRDs()
	if err != nil || len(docs) == 0 {
		t.Fatalf("embedded CRDs: %v %v", docs, err)
	}
	s := NewSet(Options{})
	for _, d := range docs {
		if err := s.AddEmbedded(d.Data, d.Name); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// TestEmbeddedCRDsAreValid: the embedded CRDs are trusted at run time, so
// the test holds them to the API server's CRD validation.
func TestEmbeddedCRDsAreValid(t *testing.T) {
	t.Parallel()
	docs, err := schema.EmbeddedCRDs()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range docs {
		s := builtinSet(t)
		if err := s.AddEmbedded(d.Data, d.Name); err != nil {
			t.Fatal(err)
		}
		for _, c := range s.embedded {
			c.embedded = false // validate it like one found in the tree
			if issues := c.Check(); len(issues) > 0 {
				t.Errorf("%s: %v", d.Name, issues)
			}
			if ok, why := c.Usable(); !ok {
				t.Errorf("%s not usable: %s", d.Name, why)
			}
		}
	}
}

// TestSealedSecretFixtures: SealedSecrets are validated from the embedded
// CRD, like any custom resource.
func TestSealedSecretFixtures(t *testing.T) {
	t.Parallel()
	set := embeddedSet(t)
	files, _ := filepath.Glob("testdata/sealedsecret/*.yaml")
	files = append(files, "../../manifests/40-confluence-credentials.sealedsecret.yaml")
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			t.Parallel()
			obj, data := readObject(t, f)
			w := wants(t, data)
			if strings.HasPrefix(filepath.Base(f), "invalid-") == (len(w) == 0) {
				t.Fatalf("fixture naming: %d want lines", len(w))
			}
			c, ok := set.Lookup("bitnami.com/v1alpha1", "SealedSecret")
			if !ok {
				t.Fatal("no SealedSecret CRD")
			}
			if g := sortWants(got(c.Validate(obj))); !matchWants(g, sortWants(w)) {
				t.Errorf("issues:\n%s\nwant:\n%s", fmtWants(g), fmtWants(w))
			}
		})
	}
}

// An in-tree CRD for the same kind replaces the embedded one.
func TestInTreeCRDReplacesEmbedded(t *testing.T) {
	t.Parallel()
	set := embeddedSet(t)
	embedded, _ := set.Lookup("bitnami.com/v1alpha1", "SealedSecret")
	obj, _ := readObject(t, "../schema/schemas/crds/bitnami.com_sealedsecrets.yaml")
	inTree := set.Add(obj, "crds/sealed.yaml:1")
	if c, _ := set.Lookup("bitnami.com/v1alpha1", "SealedSecret"); c != inTree || c == embedded {
		t.Errorf("Lookup gave %p, want the in-tree CRD %p", c, inTree)
	}
}
