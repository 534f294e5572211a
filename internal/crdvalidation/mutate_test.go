package crdvalidation

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// TestMutatedDocumentsNeverPanic complements FuzzCRD, whose coverage-guided
// runs are slow with a dependency graph the size of the API server's: it
// breaks every CRD and custom resource fixture in thousands of random ways
// (a field dropped, a value of another type, a subtree moved) with a fixed
// seed and runs each through the whole path. The API server answers a
// panic with a 500; here the recovery would show up as an issue that says
// so, and that is a failure too.
func TestMutatedDocumentsNeverPanic(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(9, 4))
	crdFiles, _ := filepath.Glob("testdata/crd/*.yaml")
	crdFiles = append(crdFiles, "testdata/gadget-crd.yaml", "../schema/schemas/crds/bitnami.com_sealedsecrets.yaml")
	crFiles, _ := filepath.Glob("testdata/cr/*.yaml")
	n := 0
	check := func(what string, issues []Issue) {
		for _, is := range issues {
			if is.Message == "" || strings.Contains(is.Message, "Internal error occurred") || strings.Contains(is.Message, "failed inside the API server's code") {
				t.Errorf("%s: %+v", what, is)
			}
		}
	}
	rounds := 40
	if testing.Short() {
		rounds = 20
	}
	for range rounds {
		for _, f := range crdFiles {
			obj, _ := readObject(t, f)
			desc := mutate(r, obj, 1+r.IntN(3))
			c := NewSet(Options{BuiltinGroup: func(g string) bool { return g == "apps" }}).Add(obj, f)
			check(f+" "+desc, c.Check())
			if ok, why := c.Usable(); !ok && strings.Contains(why, "failed inside") {
				t.Errorf("%s %s: %s", f, desc, why)
			}
			n++
		}
		_, gadget := gadgetSet(t)
		for _, f := range crFiles {
			obj, _ := readObject(t, f)
			desc := mutate(r, obj, 1+r.IntN(3))
			check(f+" "+desc, gadget.Validate(obj))
			n++
		}
	}
	t.Logf("%d mutated documents", n)
}

// mutate changes obj in place k times and says how.
func mutate(r *rand.Rand, obj map[string]any, k int) string {
	var did []string
	for range k {
		var paths [][]string
		walk(obj, nil, &paths)
		if len(paths) == 0 {
			break
		}
		p := paths[r.IntN(len(paths))]
		parent, key := lookupParent(obj, p)
		values := []any{nil, "x", "", int64(-1), int64(1) << 40, 1.5, true, []any{}, []any{"a", int64(2)}, map[string]any{}, map[string]any{"type": "string"}}
		switch r.IntN(4) {
		case 0:
			del(parent, key)
			did = append(did, "drop "+strings.Join(p, "."))
		case 1:
			// A copy of another subtree (a copy: the target may be inside it).
			other := paths[r.IntN(len(paths))]
			src, srcKey := lookupParent(obj, other)
			v, _ := jsonCopy(get(src, srcKey))
			set(parent, key, v)
			did = append(did, "copy "+strings.Join(other, ".")+" to "+strings.Join(p, "."))
		default:
			v := values[r.IntN(len(values))]
			set(parent, key, v)
			did = append(did, fmt.Sprintf("set %s=%v", strings.Join(p, "."), v))
		}
	}
	return strings.Join(did, "; ")
}

func walk(v any, at []string, out *[][]string) {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			p := append(append([]string{}, at...), k)
			*out = append(*out, p)
			walk(x[k], p, out)
		}
	case []any:
		for i, e := range x {
			p := append(append([]string{}, at...), fmt.Sprint(i))
			*out = append(*out, p)
			walk(e, p, out)
		}
	}
}

// lookupParent returns the container holding the last segment of p.
func lookupParent(obj map[string]any, p []string) (any, string) {
	var cur any = obj
	for _, seg := range p[:len(p)-1] {
		cur = get(cur, seg)
	}
	return cur, p[len(p)-1]
}

func get(c any, key string) any {
	switch x := c.(type) {
	case map[string]any:
		return x[key]
	case []any:
		if i, err := strconv.Atoi(key); err == nil && i >= 0 && i < len(x) {
			return x[i]
		}
	}
	return nil
}

func set(c any, key string, v any) {
	switch x := c.(type) {
	case map[string]any:
		x[key] = v
	case []any:
		if i, err := strconv.Atoi(key); err == nil && i >= 0 && i < len(x) {
			x[i] = v
		}
	}
}

func del(c any, key string) {
	if m, ok := c.(map[string]any); ok {
		delete(m, key)
		return
	}
	set(c, key, nil)
}
