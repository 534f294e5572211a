package loader

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/emmdev/emmdev/internal/lint/corpus"
)

// docResult is what one document gave: its objects or its error.
type docResult struct {
	objs []*Object
	err  error
}

// readDocs reads every document of data; a YAML error that ends the file
// is the last result. fastRead is how many the fast path read.
func readDocs(s *docSource) (docs []docResult, fastRead int) {
	for {
		objs, err, end := s.next()
		if end != nil {
			if !errors.Is(end, io.EOF) {
				docs = append(docs, docResult{err: end})
			}
			return docs, s.fastRead
		}
		docs = append(docs, docResult{objs, err})
	}
}

// compareFast fails t unless reading data with the fast path (and yaml.v3
// from where it gives up) gives exactly what yaml.v3 and the converter
// alone give: values, positions, YAML 1.1 notes, document numbers and
// errors. It returns how many of how many documents the fast path read.
func compareFast(t *testing.T, name string, data []byte) (fastRead, docs int) {
	t.Helper()
	opts := Options{}.withDefaults()
	got, fastRead := readDocs(newDocSource(name, data, opts))
	want, _ := readDocs(&docSource{name: name, data: data, opts: opts})
	if len(got) != len(want) {
		t.Fatalf("%s: %d results with the fast path, %d with yaml.v3 alone (last: %v / %v)", name, len(got), len(want), got[len(got)-1:], want[len(want)-1:])
	}
	for i := range got {
		if diff := diffDoc(got[i], want[i]); diff != "" {
			t.Fatalf("%s: document %d (fast path read %d): the fast path and yaml.v3 differ: %s", name, i+1, fastRead, diff)
		}
	}
	return fastRead, len(want)
}

func diffDoc(a, b docResult) string {
	if fmt.Sprint(a.err) != fmt.Sprint(b.err) {
		return fmt.Sprintf("error %v vs %v", a.err, b.err)
	}
	if len(a.objs) != len(b.objs) {
		return fmt.Sprintf("%d vs %d objects", len(a.objs), len(b.objs))
	}
	for i := range a.objs {
		x, y := a.objs[i], b.objs[i]
		if x.File != y.File || x.Doc != y.Doc || x.APIVersion != y.APIVersion || x.Kind != y.Kind || x.Name != y.Name || x.Namespace != y.Namespace {
			return fmt.Sprintf("object %d: header %s/%d %s %s vs %s/%d %s %s", i, x.File, x.Doc, x.APIVersion, x.Ref(), y.File, y.Doc, y.APIVersion, y.Ref())
		}
		if !reflect.DeepEqual(x.Obj, y.Obj) {
			return fmt.Sprintf("object %d: value\n%#v\nvs\n%#v", i, x.Obj, y.Obj)
		}
		xpos, xnotes := x.positions()
		ypos, ynotes := y.positions()
		if d := diffPos(xpos, ypos, ""); d != "" {
			return fmt.Sprintf("object %d: positions: %s", i, d)
		}
		if len(xnotes) != len(ynotes) || len(xnotes) > 0 && !reflect.DeepEqual(xnotes, ynotes) {
			return fmt.Sprintf("object %d: notes %+v vs %+v", i, xnotes, ynotes)
		}
	}
	return ""
}

func diffPos(a, b *pnode, at string) string {
	if (a == nil) != (b == nil) {
		return fmt.Sprintf("%s: %v vs %v", at, a, b)
	}
	if a == nil {
		return ""
	}
	if a.line != b.line || a.col != b.col || a.seq != b.seq || len(a.ents) != len(b.ents) {
		return fmt.Sprintf("%s: %d:%d seq=%v %d entries vs %d:%d seq=%v %d entries", at, a.line, a.col, a.seq, len(a.ents), b.line, b.col, b.seq, len(b.ents))
	}
	for i := range a.ents {
		x, y := a.ents[i], b.ents[i]
		here := fmt.Sprintf("%s/%d:%s", at, i, x.key)
		if x.key != y.key || x.line != y.line || x.col != y.col || x.note != y.note {
			return fmt.Sprintf("%s: %+v vs %+v", here, x, y)
		}
		if d := diffPos(x.child, y.child, here); d != "" {
			return d
		}
	}
	return ""
}

// repoManifests lists the YAML files of the repository's manifests,
// deployments, policies and every package's test data: hand-written,
// generated (kubectl, kustomize) and broken ones.
func repoManifests(t testing.TB) []string {
	t.Helper()
	var files []string
	for _, dir := range []string{"../../../manifests", "../../../deploy", "../../../policies", "../.."} {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && (strings.HasSuffix(path, ".yaml") || strings.HasSuffix(path, ".yml")) {
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(files) < 500 {
		t.Fatalf("found only %d manifests", len(files))
	}
	return files
}

// TestFastPathAgreesWithYAMLv3 reads every manifest of the repository both
// ways: whatever the fast path reads must be exactly what yaml.v3 and the
// converter make of it (values, positions, YAML 1.1 notes, errors of
// documents that are not objects, document numbers).
func TestFastPathAgreesWithYAMLv3(t *testing.T) {
	files := repoManifests(t)
	fast, all := 0, 0
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		f, n := compareFast(t, path, data)
		fast, all = fast+f, all+n
	}
	t.Logf("the fast path read %d of %d documents in %d files", fast, all, len(files))
}

// TestFastPathReadsEverydayManifests makes sure the fast path is not a
// path that gives up on everything: the EMM manifests and the benchmark
// corpus (block YAML, `|` blocks, flow lists, comments) are read whole.
func TestFastPathReadsEverydayManifests(t *testing.T) {
	paths, err := filepath.Glob("../../../manifests/*.yaml")
	if err != nil || len(paths) < 10 {
		t.Fatalf("manifests: %v %v", paths, err)
	}
	inputs := map[string][]byte{"corpus": corpus.File(0, 80)}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		inputs[p] = data
	}
	for name, data := range inputs {
		if fast, all := compareFast(t, name, data); fast != all {
			t.Errorf("%s: the fast path read %d of %d documents", name, fast, all)
		}
	}
}

// TestFastPathSnippets: the constructs the fast path reads itself, each
// equal to what yaml.v3 and the converter make of it.
func TestFastPathSnippets(t *testing.T) {
	const head = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"
	for name, body := range map[string]string{
		"literal":                 "data:\n  a: |\n    one\n    two\n",
		"literal strip":           "data:\n  a: |-\n    one\n\n    two\n\n\nb: 1\n",
		"literal leading empty":   "data:\n  a: |\n\n  \n    one\n      indented\n",
		"literal with comment":    "data:\n  a: | # why\n    # not a comment\n  # a comment\n  b: x\n",
		"folded":                  "data:\n  a: >\n    one\n    two\n\n    three\n",
		"folded strip":            "data:\n  a: >-\n    one\n\n\n    two\n",
		"flow list":               "data:\n  a: x\nspec: [a, 'b', \"c d\", 3, yes, ~, -1.5, [x], {k: v}]\n",
		"flow map":                "spec: {a: 1, 'b': no, c: [1, 2], d: {e: f}, 3: x, on: y}\n",
		"empty flow":              "spec: {a: [], b: {}, c: [ ], d: { }}\n",
		"sequence forms":          "spec:\n  a:\n  - x\n  - 'y'\n  b:\n    - k: v\n      l: 2\n    -   m: n\n    - [1]\n  c: 1\n",
		"YAML 1.1 words":          "data:\n  a: NO\n  b: 'yes'\n  c: 0755\n  d: 1_000\n  e: 0x1F\n  f: 1e3\n  g: .5\n  h: 2001-12-14\n  i: 12:30\n",
		"keys":                    "data:\n  'quoted key': 1\n  \"double\": 2\n  3: three\n  true: t\n  1.5: f\n  a b: c\n  k : v\n",
		"comments and blanks":     "# top\n\ndata:   # trailing\n\n  # between\n  a: b # after\n  c: 'd' # after\n",
		"quotes":                  "data:\n  a: 'it''s'\n  b: \"a 'b' #c\"\n  c: ''\n  d: \"\"\n",
		"colons and hashes":       "data:\n  url: http://x:80/a#b\n  img: nginx:1.2\n  x: a:b\n",
		"List":                    "",
		"non-ASCII comment":       "# caf\u00e9 \u2014 \U0001F600\ndata:\n  a: b # \u00fc\n",
		"explicit null and tilde": "data:\n  creationTimestamp: null\nspec: ~\n",
	} {
		src := head + body
		if name == "List" {
			src = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n- apiVersion: v1\n  kind: Secret\n  metadata:\n    name: b\n"
		}
		src += "---\n" + src
		if fast, all := compareFast(t, name, []byte(src)); fast != all || all != 2 {
			t.Errorf("%s: the fast path read %d of %d documents", name, fast, all)
		}
	}
}

// TestFastPathGivesUp lists inputs the fast path must leave to yaml.v3,
// alone, in an object and after a document it reads; each is still read
// exactly as yaml.v3 reads it.
func TestFastPathGivesUp(t *testing.T) {
	for name, src := range map[string]string{
		"anchor":          "a: &x 1\nb: *x\n",
		"more-indented":   "a: >\n  x\n   y\n",
		"multi-line":      "a: x\n  y\n",
		"empty value":     "a:\nb: 1\n",
		"multi-line flow": "a: [1,\n  2]\n",
		"JSON-style pair": "a: {\"b\":1}\n",
		"escape":          "a: \"x\\ty\"\n",
		"tab":             "a:\tb\n",
		"crlf":            "a: 1\r\n",
		"non-ASCII value": "a: caf\xc3\xa9\n",
		"duplicate":       "a: 1\na: 2\n",
		"tag":             "a: !!str 1\n",
		"keep":            "a: |+\n  x\n\n",
		"no final break":  "a: |\n  x",
		"document end":    "a: 1\n...\n",
		"trailing comma":  "a: [1, 2,]\n",
	} {
		doc := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  " + strings.ReplaceAll(src, "\n", "\n  ")
		for _, in := range []string{src, doc, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: first\n---\n" + doc} {
			if f := newFastParser([]byte(in), DefaultMaxDepth); f != nil {
				if _, ok := f.document(); ok && in == src {
					t.Errorf("%s: the fast path read %q itself", name, src)
				}
			}
			// Whoever reads it, Parse gives what yaml.v3 gives.
			if fast, _ := compareFast(t, name, []byte(in)); fast > strings.Count(in, "---\n") {
				t.Errorf("%s: the fast path read %d documents of %q", name, fast, in)
			}
		}
	}
}

// TestParseSwitchesToYAMLv3MidFile checks the hand-over: documents the fast
// path read stay, the one it gave up on and all after it come from
// yaml.v3 with the right document numbers and lines.
func TestParseSwitchesToYAMLv3MidFile(t *testing.T) {
	src := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\n" +
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: &n b\n  labels: {x: *n}\n---\n" +
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  k: yes\n"
	objs, err := Parse("m.yaml", []byte(src), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range objs {
		line, col := o.Pos("metadata", "name")
		got = append(got, fmt.Sprintf("%s doc%d %d:%d", o.Name, o.Doc, line, col))
	}
	want := []string{"a doc1 4:3", "b doc2 9:3", "c doc3 15:3"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	if c, ok := objs[2].Coerced("data", "k"); !ok || c.Line != 17 || c.Value != true {
		t.Fatalf("coercion of data.k: %+v %v", c, ok)
	}
	if lbl := objs[1].Obj["metadata"].(map[string]any)["labels"]; !reflect.DeepEqual(lbl, map[string]any{"x": "b"}) {
		t.Fatalf("alias not expanded: %v", lbl)
	}
}

// FuzzFastPath: on any input, what the fast path reads is what yaml.v3 and
// the converter read.
func FuzzFastPath(f *testing.F) {
	for _, path := range repoManifests(f) {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		if len(data) < 4096 {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 64<<10 {
			return
		}
		compareFast(t, "fuzz.yaml", data)
	})
}

// TestFastPathPositionsOnDemand: objects the fast path read carry no
// position index until one is asked for, then the right one, also when
// many goroutines ask at once (run with -race).
func TestFastPathPositionsOnDemand(t *testing.T) {
	objs, err := Parse("c.yaml", corpus.File(0, 8), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range objs {
		if o.pos != nil || o.notes != nil {
			t.Fatalf("%s: positions built while loading", o.Ref())
		}
	}
	want := readSlowObjects(t, "c.yaml", corpus.File(0, 8))
	var wg sync.WaitGroup
	for range 4 {
		for i, o := range objs {
			wg.Go(func() {
				line, col := o.Pos("metadata", "name")
				wl, wc := want[i].Pos("metadata", "name")
				if line != wl || col != wc || o.Line() != want[i].Line() {
					t.Errorf("%s: metadata.name at %d:%d (object at %d), want %d:%d (%d)", o.Ref(), line, col, o.Line(), wl, wc, want[i].Line())
				}
			})
		}
	}
	wg.Wait()
}

func readSlowObjects(t *testing.T, name string, data []byte) []*Object {
	t.Helper()
	var objs []*Object
	for _, d := range func() []docResult {
		r, _ := readDocs(&docSource{name: name, data: data, opts: Options{}.withDefaults()})
		return r
	}() {
		if d.err != nil {
			t.Fatal(d.err)
		}
		objs = append(objs, d.objs...)
	}
	return objs
}

// TestHandOverStopsWhenCancelled: handing a file to yaml.v3 re-reads the
// documents the fast path read; after Ctrl-C it must not.
func TestHandOverStopsWhenCancelled(t *testing.T) {
	var b strings.Builder
	for i := range 50 {
		fmt.Fprintf(&b, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c%d\n---\n", i)
	}
	b.WriteString("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: &a last\n")
	ctx, cancel := context.WithCancel(context.Background())
	s := newDocSource("c.yaml", []byte(b.String()), Options{}.withDefaults())
	s.ctx = ctx
	for range 49 {
		if _, _, end := s.next(); end != nil {
			t.Fatal(end)
		}
	}
	cancel()
	if _, _, end := s.next(); !errors.Is(end, context.Canceled) || s.dec == nil {
		t.Fatalf("hand-over after cancel: %v (decoder started: %v)", end, s.dec != nil)
	}
}
