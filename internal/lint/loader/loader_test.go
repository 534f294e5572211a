package loader

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestParseHostile(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file     string
		wantLine int    // 0: the error names no line (the parser gives none)
		wantMsg  string // substring of the error
	}{
		{"binary.yaml", 0, "binary content"},
		{"bomb.yaml", 12, "alias *f expands past 1000000 nodes"},
		{"cycle.yaml", 6, "refers to itself"},
		{"tabs.yaml", 4, "tab"},
		{"duplicate-key.yaml", 7, `duplicate key "key" (first at line 6)`},
		{"kind-not-string.yaml", 2, "kind must be a non-empty string"},
		{"metadata-not-mapping.yaml", 3, "metadata must be a mapping"},
		{"no-kind.yaml", 2, "apiVersion must be a non-empty string"},
		{"list-doc.yaml", 1, "is a list, want a Kubernetes object"},
		{"scalar-doc.yaml", 7, "is a string, want a Kubernetes object"},
		{"unclosed.yaml", 4, ""},
		{"unknown-anchor.yaml", 4, "alias *nope has no anchor &nope"},
		{"bad-list-items.yaml", 8, "items[1] is a number"},
		{"name-not-string.yaml", 4, "metadata.name must be a string"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join("testdata", "hostile", tt.file)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			done := make(chan struct{})
			var objs []*Object
			go func() { objs, err = Parse(path, data, Options{}); close(done) }()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("Parse hung")
			}
			if err == nil {
				t.Fatalf("Parse succeeded with %d objects, want an error", len(objs))
			}
			var le *Error
			if !errors.As(err, &le) {
				t.Fatalf("error %T %v is not a *loader.Error", err, err)
			}
			if le.File != path || le.Line != tt.wantLine {
				t.Errorf("error at %s:%d, want %s:%d (%v)", le.File, le.Line, path, tt.wantLine, err)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) || !strings.HasPrefix(err.Error(), path) {
				t.Errorf("error %q does not start with the file or lacks %q", err, tt.wantMsg)
			}
		})
	}
}

func TestParseEmptyYieldsNothing(t *testing.T) {
	t.Parallel()
	for _, f := range []string{"empty.yaml", "comments-only.yaml"} {
		data, err := os.ReadFile(filepath.Join("testdata", "hostile", f))
		if err != nil {
			t.Fatal(err)
		}
		objs, err := Parse(f, data, Options{})
		if err != nil || len(objs) != 0 {
			t.Errorf("%s: got %d objects, err %v; want none and no error (the run fails closed on zero objects)", f, len(objs), err)
		}
	}
}

func TestParseLimits(t *testing.T) {
	t.Parallel()
	deep := "apiVersion: v1\nkind: ConfigMap\ndata: " + strings.Repeat("[", 500) + strings.Repeat("]", 500) + "\n"
	if _, err := Parse("deep.yaml", []byte(deep), Options{}); err == nil || !strings.Contains(err.Error(), "nesting deeper") {
		t.Errorf("deep nesting: err = %v, want a nesting error", err)
	}
	big := []byte("apiVersion: v1\nkind: ConfigMap\ndata:\n  k: " + strings.Repeat("x", 2000) + "\n")
	_, err := Load(context.Background(), []Input{BytesInput("big.yaml", big)}, Options{MaxFileBytes: 1000})
	if err == nil || !strings.Contains(err.Error(), "big.yaml: file is over the 1000 byte limit") {
		t.Errorf("oversized file: err = %v", err)
	}
}

// TestLoadValid walks testdata/valid, which also holds a
// .pre-commit-config.yaml: dotfiles in a directory are not manifests and
// would otherwise fail the run.
func TestLoadValid(t *testing.T) {
	t.Parallel()
	inputs, err := Files("", []string{filepath.Join("testdata", "valid")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	objs, err := Load(context.Background(), inputs, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range objs {
		got = append(got, filepath.Base(o.File)+"#"+o.Ref())
	}
	want := []string{
		"list.yaml#Secret in-list", "list.yaml#ConfigMap also-in-list",
		"merge.yaml#ConfigMap merged",
		"multi.yaml#ConfigMap agentic-ai/first", "multi.yaml#Deployment second",
		"object.json#ConfigMap from-json",
		"tabs-in.json#ConfigMap tabbed", // JSON indented with tabs is fine in flow style
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("objects:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	ann := objs[2].Obj["metadata"].(map[string]any)["annotations"].(map[string]any)
	if ann["app"] != "web" || ann["tier"] != "override" {
		t.Errorf("merge key: annotations = %v, want app=web from the anchor and tier=override", ann)
	}
	if objs[4].Obj["spec"].(map[string]any)["replicas"] != int64(2) {
		t.Errorf("replicas decoded as %T, want int64", objs[4].Obj["spec"].(map[string]any)["replicas"])
	}
}

func TestPositions(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join("testdata", "valid", "multi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	objs, err := Parse("multi.yaml", data, Options{})
	if err != nil {
		t.Fatal(err)
	}
	dep := objs[1]
	tests := []struct {
		name      string
		path      []string
		line, col int
		found     bool
	}{
		{"object start", nil, 12, 1, true},
		{"scalar field", []string{"spec", "replicas"}, 17, 3, true},
		{"list item", []string{"spec", "template", "spec", "containers", "0"}, 21, 11, true},
		{"field in list item", []string{"spec", "template", "spec", "containers", "0", "image"}, 22, 11, true},
		{"missing field -> parent", []string{"spec", "template", "spec", "containers", "0", "readinessProbe"}, 21, 11, false},
		{"missing deep -> deepest parent", []string{"spec", "strategy", "rollingUpdate", "maxUnavailable"}, 16, 1, false},
		{"index out of range", []string{"spec", "template", "spec", "containers", "3"}, 20, 7, false},
		{"index into scalar", []string{"spec", "replicas", "x"}, 17, 3, false},
	}
	for _, tt := range tests {
		line, col, found := dep.Lookup(tt.path...)
		if line != tt.line || col != tt.col || found != tt.found {
			t.Errorf("%s: Lookup(%v) = %d:%d %v, want %d:%d %v", tt.name, tt.path, line, col, found, tt.line, tt.col, tt.found)
		}
	}
	// Positions inside a List item are the item's own lines.
	data, _ = os.ReadFile(filepath.Join("testdata", "valid", "list.yaml"))
	objs, err = Parse("list.yaml", data, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if l, c := objs[0].Pos("stringData", "password"); l != 9 || c != 7 {
		t.Errorf("list item field at %d:%d, want 9:7", l, c)
	}
	// A key brought in by a << merge is reported where it is written (the
	// anchor), an overriding key where the override is.
	data, _ = os.ReadFile(filepath.Join("testdata", "valid", "merge.yaml"))
	objs, err = Parse("merge.yaml", data, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if l, c := objs[0].Pos("metadata", "annotations", "app"); l != 6 || c != 5 {
		t.Errorf("merged key at %d:%d, want 6:5 (the anchor)", l, c)
	}
	if l, c := objs[0].Pos("metadata", "annotations", "tier"); l != 10 || c != 5 {
		t.Errorf("overriding key at %d:%d, want 10:5", l, c)
	}
}

func TestIsHidden(t *testing.T) {
	t.Parallel()
	for p, want := range map[string]bool{
		".github/workflows/ci.yml": true, "manifests/.draft.yaml": true, ".pre-commit-config.yaml": true,
		"manifests/app.yaml": false, "../manifests/app.yaml": false, "./manifests/app.yaml": false,
	} {
		if got := IsHidden(p); got != want {
			t.Errorf("IsHidden(%q) = %v, want %v", p, got, want)
		}
	}
}

func TestFilesErrors(t *testing.T) {
	t.Parallel()
	if _, err := Files("", []string{"testdata/does-not-exist"}, nil); err == nil || !strings.Contains(err.Error(), "testdata/does-not-exist") {
		t.Errorf("missing path: err = %v", err)
	}
	if _, err := Files("", []string{"-", "-"}, strings.NewReader("")); err == nil {
		t.Error("stdin twice: want an error")
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "unreadable.yaml")
	if err := os.WriteFile(p, []byte("kind: x"), 0o000); err != nil {
		t.Fatal(err)
	}
	if os.Getuid() == 0 {
		// root reads anything; use a directory posing as a file instead.
		p = filepath.Join(dir, "dir.yaml")
		if err := os.Mkdir(p, 0o755); err != nil {
			t.Fatal(err)
		}
		_, err := Load(context.Background(), []Input{FileInput(p)}, Options{})
		if err == nil || !strings.Contains(err.Error(), p+": cannot read") {
			t.Errorf("unreadable: err = %v", err)
		}
		return
	}
	_, err := Load(context.Background(), []Input{FileInput(p)}, Options{})
	if err == nil || !strings.Contains(err.Error(), p+": cannot read") {
		t.Errorf("unreadable: err = %v", err)
	}
}

func TestLoadStdin(t *testing.T) {
	t.Parallel()
	inputs, err := Files("", []string{"-"}, strings.NewReader("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: agentic-ai\n"))
	if err != nil {
		t.Fatal(err)
	}
	objs, err := Load(context.Background(), inputs, Options{})
	if err != nil || len(objs) != 1 || objs[0].File != StdinName || objs[0].Name != "agentic-ai" {
		t.Fatalf("stdin: %v %v", objs, err)
	}
}

// A FIFO in a linted directory must be skipped: opening it would block the
// whole run forever (nothing ever writes to it).
func TestFilesSkipsFIFOsInDirectories(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "ok.yaml"), []byte("kind: ConfigMap\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe.yaml"), 0o644); err != nil {
		t.Fatalf("mkfifo: %v", err)
	}
	inputs, err := Files("", []string{dir}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(inputs) != 1 || !strings.HasSuffix(inputs[0].Name, "ok.yaml") {
		names := make([]string, len(inputs))
		for i, in := range inputs {
			names[i] = in.Name
		}
		t.Fatalf("inputs = %v, want only ok.yaml", names)
	}
}

// `kind: List` without items, with `items: null` and with `items: []` are all
// the same empty List: no objects, and never an "unknown kind".
func TestEmptyListsAreEmpty(t *testing.T) {
	t.Parallel()
	for _, doc := range []string{
		"apiVersion: v1\nkind: List\n",
		"apiVersion: v1\nkind: List\nitems:\n",
		"apiVersion: v1\nkind: List\nitems: []\n",
	} {
		in := doc + "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n"
		objs, err := Load(context.Background(), []Input{BytesInput("l.yaml", []byte(in))}, Options{})
		if err != nil {
			t.Fatalf("%q: %v", doc, err)
		}
		if len(objs) != 1 || objs[0].Kind != "Namespace" {
			t.Fatalf("%q: got %d objects, want only the Namespace", doc, len(objs))
		}
	}
}
