package limits

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/emmdev/emmdev/internal/lint/loader"
)

// Workload is an object of the manifests that runs containers.
type Workload struct {
	File      string // path as given
	Line      int    // of the document's kind
	Kind      string
	Namespace string // "" when the manifest leaves it to the context
	Name      string
	// Selector finds its pods (matchLabels, or the template's labels for a
	// Job; nil for a bare Pod, found by name).
	Selector   map[string]string
	Containers []*Container
}

// Container is one container of a workload with the YAML nodes of its
// resources, so values can be read and rewritten where they are.
type Container struct {
	Name string
	Line int // of its name
	Init bool
	// resources, requests, limits mappings (nil when absent).
	resources, requests, limits *yaml.Node
}

// Resource names this package sizes.
const (
	CPU    = "cpu"
	Memory = "memory"
)

// Value returns the quantity text at resources.<section>.<res> ("" when
// unset) and its node.
func (c *Container) Value(section, res string) (string, *yaml.Node) {
	m := c.requests
	if section == "limits" {
		m = c.limits
	}
	if n := mapGet(m, res); n != nil && n.Kind == yaml.ScalarNode {
		return n.Value, n
	}
	return "", nil
}

// ParseError is a manifest that cannot be read, with its position.
type ParseError struct {
	File string
	Line int
	// Problem is what to print instead of Err ("" = Err's text): the YAML
	// library's message without its own (0-based) line.
	Problem string
	Err     error
}

func (e *ParseError) Error() string {
	msg := e.Problem
	if msg == "" {
		msg = e.Err.Error()
	}
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, msg)
	}
	return fmt.Sprintf("%s: %s", e.File, msg)
}
func (e *ParseError) Unwrap() error { return e.Err }

// Files expands paths (files, or directories walked for .yaml/.yml) in a
// stable order. kustomization files are skipped: they hold no workloads.
func Files(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !fi.IsDir() {
			out = append(out, p)
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			ext := strings.ToLower(filepath.Ext(path))
			if !d.IsDir() && (ext == ".yaml" || ext == ".yml") && !isKustomization(path) {
				out = append(out, path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

func isKustomization(path string) bool {
	switch filepath.Base(path) {
	case "kustomization.yaml", "kustomization.yml", "Kustomization":
		return true
	}
	return false
}

// Document is one parsed YAML document of a file.
type Document struct {
	File string
	Root *yaml.Node
}

// ParseFile reads every document of a file, keeping node positions.
func ParseFile(path string, data []byte) ([]Document, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []Document
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			line, problem := loader.SyntaxError(data, err.Error())
			return nil, &ParseError{File: path, Line: line, Problem: problem, Err: err}
		}
		if len(n.Content) == 1 && n.Content[0].Kind == yaml.MappingNode {
			docs = append(docs, Document{File: path, Root: n.Content[0]})
		}
	}
}

// Workloads finds the workloads of a document: Deployment, StatefulSet,
// DaemonSet, ReplicaSet, Job, CronJob and Pod, also inside a List.
func Workloads(d Document) []*Workload {
	root := d.Root
	if scalar(mapGet(root, "kind")) == "List" {
		var out []*Workload
		if items := mapGet(root, "items"); items != nil && items.Kind == yaml.SequenceNode {
			for _, it := range items.Content {
				if it.Kind == yaml.MappingNode {
					out = append(out, Workloads(Document{File: d.File, Root: it})...)
				}
			}
		}
		return out
	}
	kind := scalar(mapGet(root, "kind"))
	meta := mapGet(root, "metadata")
	w := &Workload{File: d.File, Line: root.Line, Kind: kind,
		Namespace: scalar(mapGet(meta, "namespace")), Name: scalar(mapGet(meta, "name"))}
	var podSpec, template *yaml.Node
	switch kind {
	case "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job":
		template = path(root, "spec", "template")
		w.Selector = stringMap(path(root, "spec", "selector", "matchLabels"))
	case "CronJob":
		template = path(root, "spec", "jobTemplate", "spec", "template")
	case "Pod":
		podSpec = mapGet(root, "spec")
	default:
		return nil
	}
	if template != nil {
		podSpec = mapGet(template, "spec")
		if w.Selector == nil {
			// Jobs and CronJobs: their pods carry the template's labels.
			w.Selector = stringMap(path(template, "metadata", "labels"))
		}
	}
	if podSpec == nil || w.Name == "" {
		return nil
	}
	for _, list := range []struct {
		key  string
		init bool
	}{{"initContainers", true}, {"containers", false}} {
		seq := mapGet(podSpec, list.key)
		if seq == nil || seq.Kind != yaml.SequenceNode {
			continue
		}
		for _, c := range seq.Content {
			name := mapGet(c, "name")
			if name == nil {
				continue
			}
			res := mapGet(c, "resources")
			w.Containers = append(w.Containers, &Container{Name: name.Value, Line: name.Line, Init: list.init,
				resources: res, requests: mapGet(res, "requests"), limits: mapGet(res, "limits")})
		}
	}
	return []*Workload{w}
}

// mapGet returns the value node of key in a mapping node (nil if absent).
func mapGet(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func path(n *yaml.Node, keys ...string) *yaml.Node {
	for _, k := range keys {
		n = mapGet(n, k)
	}
	return n
}

func scalar(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}

func stringMap(n *yaml.Node) map[string]string {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	out := map[string]string{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		out[n.Content[i].Value] = n.Content[i+1].Value
	}
	return out
}
