package crdvalidation

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// A fixture states what it must produce in `# want: <reason> <path> | <message>`
// lines: the reason, the JSON path (segments joined by "/", "." for the
// object itself) and the exact message; a message ending in " ..." is a
// prefix (for multi-line messages such as CEL compiler errors). For invalid, unknown-field and
// malformed reasons the message is the API server's own, and the
// integration test checks each one against a real kube-apiserver.
var wantRE = regexp.MustCompile(`^#\s*want:\s*(\S+)\s+(\S+)\s*\|\s*(.*)$`)

var reasonNames = map[string]Reason{
	"unknown-field": UnknownField, "malformed": Malformed, "schema": SchemaViolation, "invalid": Invalid,
	"unusable": Unusable, "not-validated": NotValidated,
}

type want struct {
	reason  Reason
	path    string
	message string
}

func (w want) String() string { return fmt.Sprintf("%d %s | %s", w.reason, w.path, w.message) }

func wants(t *testing.T, data []byte) []want {
	t.Helper()
	var out []want
	for _, line := range strings.Split(string(data), "\n") {
		m := wantRE.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		r, ok := reasonNames[m[1]]
		if !ok {
			t.Fatalf("unknown reason %q in %q", m[1], line)
		}
		p := m[2]
		if p == "." {
			p = "" // the object as a whole
		}
		out = append(out, want{r, p, m[3]})
	}
	return out
}

func got(issues []Issue) []want {
	out := make([]want, 0, len(issues))
	for _, is := range issues {
		out = append(out, want{is.Reason, strings.Join(is.Path, "/"), is.Message})
	}
	return out
}

// matchWants compares issues with want lines, both sorted.
func matchWants(g, w []want) bool {
	return slices.EqualFunc(g, w, func(g, w want) bool {
		if p, ok := strings.CutSuffix(w.message, " ..."); ok {
			return g.reason == w.reason && g.path == w.path && strings.HasPrefix(g.message, p)
		}
		return g == w
	})
}

func sortWants(w []want) []want {
	slices.SortFunc(w, func(a, b want) int { return strings.Compare(a.String(), b.String()) })
	return w
}

func readObject(t testing.TB, path string) (map[string]any, []byte) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var obj map[string]any
	if err := yaml.Unmarshal(data, &obj); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return obj, data
}

func gadgetSet(t testing.TB) (*Set, *CRD) {
	t.Helper()
	s := NewSet(Options{})
	obj, _ := readObject(t, "testdata/gadget-crd.yaml")
	return s, s.Add(obj, "testdata/gadget-crd.yaml")
}

// TestCustomResourceFixtures validates every testdata/cr fixture against the
// gadget CRD: valid ones without any issue, invalid ones with exactly the
// issues their want lines name.
func TestCustomResourceFixtures(t *testing.T) {
	t.Parallel()
	set, crd := gadgetSet(t)
	if issues := crd.Check(); len(issues) > 0 {
		t.Fatalf("gadget CRD: %v", issues)
	}
	files, _ := filepath.Glob("testdata/cr/*.yaml")
	if len(files) < 10 {
		t.Fatalf("only %d fixtures", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			t.Parallel()
			obj, data := readObject(t, f)
			w := wants(t, data)
			if strings.HasPrefix(filepath.Base(f), "valid-") != (len(w) == 0) {
				t.Fatalf("fixture naming: %d want lines", len(w))
			}
			c, ok := set.Lookup(obj["apiVersion"].(string), obj["kind"].(string))
			if !ok || c != crd {
				t.Fatalf("Lookup: %v %v", c, ok)
			}
			if g := sortWants(got(c.Validate(obj))); !matchWants(g, sortWants(w)) {
				t.Errorf("issues:\n%s\nwant:\n%s", fmtWants(g), fmtWants(w))
			}
		})
	}
}

func fmtWants(w []want) string {
	var b strings.Builder
	for _, x := range w {
		fmt.Fprintf(&b, "  %s\n", x)
	}
	return b.String()
}
