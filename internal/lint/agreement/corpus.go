// Package agreement holds the proof that `emmdev lint` says what the API
// server says: a corpus of manifests (testdata/cases), each sent through a
// real kube-apiserver exactly as kubectl sends it (server-side dry run,
// strict field validation) and through emmdev's API-level rules, and the
// code that reads the corpus, normalises field paths and prints the
// disagreement table. The suite itself lives in the _test.go files; it runs
// on the test control plane of internal/testcp.
//
// Every case file starts with a header of `# key: value` comments:
//
//	# case: Deployment whose selector does not match the template labels
//	# rule: apps.deployment.selector-matches-template
//	# expect: reject
//	# path: spec.template.metadata.labels
//
// case (what the file is) and expect (accept or reject) are required; an
// invalid case also names the validation rule it breaks (rule, unique in
// the corpus) and every field path the API server (or kubectl's decoder)
// names (path, repeated); when the API server names no field, a substring
// of its message (server-error); when kubectl fails before the API server
// answers, a substring of kubectl's error (kubectl-error), with the paths
// its error names, if any. generated-by gives the exact command that
// wrote a file (kubectl create ... --dry-run=client -o yaml).
package agreement

import (
	"bufio"
	"bytes"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"

	"sigs.k8s.io/yaml"
)

// Verdict is accept or reject.
type Verdict string

// The two verdicts.
const (
	Accept Verdict = "accept"
	Reject Verdict = "reject"
)

// Case is one corpus file and what it declares.
type Case struct {
	// Name is the file's path relative to the corpus root, with slashes.
	Name string
	// File is the path to read.
	File string
	// Title is the `case:` line.
	Title string
	// Rule identifies the validation rule an invalid case breaks.
	Rule   string
	Expect Verdict
	// Paths the API server must name.
	Paths []Path
	// ServerError is a substring of the API server's message when it
	// rejects without naming a field.
	ServerError string
	// KubectlError is a substring of the error kubectl reports when the
	// request never gets a verdict from the API server.
	KubectlError string
	// GeneratedBy is the command that produced the file.
	GeneratedBy string
	// Kinds are "apiVersion/Kind" of the file's objects, as YAML 1.1 reads them.
	Kinds []string
}

// headerKeys are the keys a header may use; anything else is a typo.
var headerKeys = []string{"case", "rule", "expect", "path", "server-error", "kubectl-error", "generated-by"}

// ParseCase reads the header of one case file and checks it is complete.
func ParseCase(name string, data []byte) (Case, error) {
	c := Case{Name: name}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || text == "---" {
			continue
		}
		if !strings.HasPrefix(text, "#") {
			break // the header ends at the first YAML line
		}
		key, val, ok := strings.Cut(strings.TrimSpace(strings.TrimPrefix(text, "#")), ":")
		if !ok || strings.ContainsAny(key, " \t") {
			continue // prose comment
		}
		key, val = strings.TrimSpace(key), strings.TrimSpace(val)
		if !slices.Contains(headerKeys, key) {
			return c, fmt.Errorf("%s:%d: unknown header key %q (want one of %s)", name, line, key, strings.Join(headerKeys, ", "))
		}
		if val == "" {
			return c, fmt.Errorf("%s:%d: header %s has no value", name, line, key)
		}
		switch key {
		case "case":
			c.Title = val
		case "rule":
			c.Rule = val
		case "expect":
			c.Expect = Verdict(val)
		case "path":
			p, err := ParseHeaderPath(val)
			if err != nil {
				return c, fmt.Errorf("%s:%d: %w", name, line, err)
			}
			c.Paths = append(c.Paths, p)
		case "server-error":
			c.ServerError = val
		case "kubectl-error":
			c.KubectlError = val
		case "generated-by":
			c.GeneratedBy = val
		}
	}
	if err := sc.Err(); err != nil {
		return c, fmt.Errorf("%s: %w", name, err)
	}
	if c.Title == "" {
		return c, fmt.Errorf("%s: header has no `# case:` line", name)
	}
	switch c.Expect {
	case Accept:
		if c.Rule != "" || len(c.Paths) > 0 || c.ServerError != "" || c.KubectlError != "" {
			return c, fmt.Errorf("%s: an accepted case names no rule, path, server-error or kubectl-error", name)
		}
	case Reject:
		if c.Rule == "" {
			return c, fmt.Errorf("%s: a rejected case names the rule it breaks (`# rule:`)", name)
		}
		switch {
		case len(c.Paths) == 0 && c.ServerError == "" && c.KubectlError == "":
			return c, fmt.Errorf("%s: a rejected case names the field paths (`# path:`), the API server's message when it names no field (`# server-error:`) or kubectl's error (`# kubectl-error:`)", name)
		case c.ServerError != "" && (len(c.Paths) > 0 || c.KubectlError != ""):
			return c, fmt.Errorf("%s: `# server-error:` means the API server names no field and kubectl did not fail: no `# path:` or `# kubectl-error:` with it", name)
		}
	default:
		return c, fmt.Errorf("%s: `# expect:` must be accept or reject, not %q", name, c.Expect)
	}
	c.Kinds = kinds(data)
	return c, nil
}

// kinds lists apiVersion/kind per document the way kubectl reads them
// (sigs.k8s.io/yaml); documents it cannot read contribute nothing, since
// some cases are deliberately unreadable.
func kinds(data []byte) []string {
	var out []string
	for _, doc := range splitDocuments(data) {
		var tm struct {
			APIVersion any `json:"apiVersion"`
			Kind       any `json:"kind"`
		}
		if err := yaml.Unmarshal(doc, &tm); err != nil || tm.Kind == nil {
			continue
		}
		out = append(out, fmt.Sprintf("%v/%v", tm.APIVersion, tm.Kind))
	}
	return out
}

func splitDocuments(data []byte) [][]byte {
	var docs [][]byte
	var cur bytes.Buffer
	for _, line := range bytes.SplitAfter(data, []byte("\n")) {
		if bytes.Equal(bytes.TrimRight(line, " \r\n"), []byte("---")) {
			docs = append(docs, bytes.Clone(cur.Bytes()))
			cur.Reset()
			continue
		}
		cur.Write(line)
	}
	return append(docs, cur.Bytes())
}

// LoadCorpus reads every .yaml and .yml file under root (in fsys); JSON
// has no comments to carry a header, and kubectl reads it with the same
// decoder as YAML.
// dir is the on-disk path of root, used for Case.File.
func LoadCorpus(fsys fs.FS, root, dir string) ([]Case, error) {
	var cases []Case
	err := fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !isManifest(p) {
			return nil
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		rel := strings.TrimPrefix(strings.TrimPrefix(p, root), "/")
		c, err := ParseCase(rel, data)
		if err != nil {
			return err
		}
		c.File = filepath.Join(dir, filepath.FromSlash(rel))
		cases = append(cases, c)
		return nil
	})
	return cases, err
}

func isManifest(p string) bool {
	switch filepath.Ext(p) {
	case ".yaml", ".yml":
		return true
	}
	return false
}
