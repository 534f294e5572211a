// Package kustomize renders a kustomization in-process for `emmdev lint -k`
// and maps every field of the result back to the file and line it came
// from: the base resource, the patch that set it, or the generator or
// transformer that produced it.
//
// Rendering uses sigs.k8s.io/kustomize/api with its default, safe options
// (builtin plugins only, no exec or container plugins, no helm) and is
// offline: every resource, base, component and patch must be a local path,
// checked before kustomize runs, so kustomize never clones or downloads.
// The file that says where an object came from is kustomize's own origin
// annotation (buildMetadata originAnnotations), switched on for the root
// kustomization through a thin file-system wrapper so the user's files are
// left as they are; the transformer annotations say which kustomization's
// patches and transformers touched it.
package kustomize

import (
	"bytes"
	"fmt"
	"path/filepath"
	"slices"

	yaml "go.yaml.in/yaml/v3"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"
)

// Annotation keys kustomize writes with buildMetadata.
const (
	originKey          = "config.kubernetes.io/origin"
	transformationsKey = "alpha.config.kubernetes.io/transformations"
)

// Rendering is the result of one kustomization.
type Rendering struct {
	// Dir is the kustomization directory as the user spelled it; every
	// file shown is relative to the same base.
	Dir     string
	Objects []*Rendered
	files   *fileCache
}

// Rendered is one object of the output, its build annotations removed.
type Rendered struct {
	// YAML is the object as kustomize printed it.
	YAML []byte
	// Ref is "Kind namespace/name" for messages.
	Ref string
	obj map[string]any
	org origin
	trs []origin
	r   *Rendering
}

// Render renders the kustomization in dir (as the user spelled it,
// relative to base; "" = the process working directory) on fsys (nil = the
// real disk).
func Render(fsys filesys.FileSystem, base, dir string) (*Rendering, error) {
	if fsys == nil {
		fsys = filesys.MakeFsOnDisk()
	}
	abs := dir
	if base != "" && !filepath.IsAbs(dir) {
		abs = filepath.Join(base, dir)
	}
	abs, err := filepath.Abs(abs)
	if err != nil {
		return nil, err
	}
	if err := checkOffline(fsys, abs, dir); err != nil {
		return nil, err
	}
	kfile := kustomizationFile(fsys, abs)
	if kfile == "" {
		return nil, fmt.Errorf("-k %s: no kustomization.yaml, kustomization.yml or Kustomization in it", dir)
	}
	wrapped := &metaFS{FileSystem: fsys, root: kfile}
	rm, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(wrapped, abs)
	if err != nil {
		return nil, fmt.Errorf("-k %s: kustomize: %w", dir, err)
	}
	r := &Rendering{Dir: dir, files: newFileCache(fsys, abs, dir)}
	for _, res := range rm.Resources() {
		ro := &Rendered{r: r}
		ann := res.GetAnnotations()
		if s, ok := ann[originKey]; ok {
			_ = kyaml.Unmarshal([]byte(s), &ro.org)
		}
		if s, ok := ann[transformationsKey]; ok {
			_ = kyaml.Unmarshal([]byte(s), &ro.trs)
		}
		delete(ann, originKey)
		delete(ann, transformationsKey)
		if err := res.SetAnnotations(ann); err != nil {
			return nil, fmt.Errorf("-k %s: %s %s: %w", dir, res.GetKind(), res.GetName(), err)
		}
		if ro.obj, err = res.Map(); err != nil {
			return nil, fmt.Errorf("-k %s: %s %s: %w", dir, res.GetKind(), res.GetName(), err)
		}
		if ro.YAML, err = res.AsYAML(); err != nil {
			return nil, fmt.Errorf("-k %s: %s %s: %w", dir, res.GetKind(), res.GetName(), err)
		}
		ro.Ref = res.GetKind() + " " + res.GetName()
		if ns := res.GetNamespace(); ns != "" {
			ro.Ref = res.GetKind() + " " + ns + "/" + res.GetName()
		}
		r.Objects = append(r.Objects, ro)
	}
	return r, nil
}

// origin mirrors kustomize's resource.Origin as written in the annotations.
type origin struct {
	Path         string `json:"path,omitempty" yaml:"path,omitempty"`
	Repo         string `json:"repo,omitempty" yaml:"repo,omitempty"`
	ConfiguredIn string `json:"configuredIn,omitempty" yaml:"configuredIn,omitempty"`
	ConfiguredBy struct {
		APIVersion string `json:"apiVersion,omitempty" yaml:"apiVersion,omitempty"`
		Kind       string `json:"kind,omitempty" yaml:"kind,omitempty"`
		Name       string `json:"name,omitempty" yaml:"name,omitempty"`
	} `json:"configuredBy,omitempty" yaml:"configuredBy,omitempty"`
}

func (o origin) by() string {
	if o.ConfiguredBy.APIVersion == "builtin" {
		return "kustomize builtin " + o.ConfiguredBy.Kind
	}
	s := o.ConfiguredBy.Kind
	if o.ConfiguredBy.Name != "" {
		s += " " + o.ConfiguredBy.Name
	}
	return s
}

func kustomizationFile(fsys filesys.FileSystem, dir string) string {
	for _, n := range []string{"kustomization.yaml", "kustomization.yml", "Kustomization"} {
		p := filepath.Join(dir, n)
		if fsys.Exists(p) && !fsys.IsDir(p) {
			return p
		}
	}
	return ""
}

// metaFS switches on buildMetadata origin and transformer annotations in
// the root kustomization as kustomize reads it (kustomize passes the
// setting down to every base), leaving the file on disk untouched.
type metaFS struct {
	filesys.FileSystem
	root string
}

func (m *metaFS) ReadFile(path string) ([]byte, error) {
	data, err := m.FileSystem.ReadFile(path)
	if err != nil || !samePath(path, m.root) {
		return data, err
	}
	return withBuildMetadata(data), nil
}

func samePath(a, b string) bool {
	if filepath.Clean(a) == filepath.Clean(b) {
		return true
	}
	ra, errA := filepath.EvalSymlinks(a)
	rb, errB := filepath.EvalSymlinks(b)
	return errA == nil && errB == nil && ra == rb
}

// withBuildMetadata adds originAnnotations and transformerAnnotations to a
// kustomization's buildMetadata. Unparsable input is returned as is, for
// kustomize to report.
func withBuildMetadata(data []byte) []byte {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return data
	}
	m := doc.Content[0]
	want := []string{types.OriginAnnotations, types.TransformerAnnotations}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value != "buildMetadata" {
			continue
		}
		seq := m.Content[i+1]
		if seq.Kind != yaml.SequenceNode {
			return data
		}
		var have []string
		for _, it := range seq.Content {
			have = append(have, it.Value)
		}
		for _, w := range want {
			if !slices.Contains(have, w) {
				seq.Content = append(seq.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: w})
			}
		}
		return encode(&doc, data)
	}
	seq := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
	for _, w := range want {
		seq.Content = append(seq.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: w})
	}
	m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "buildMetadata"}, seq)
	return encode(&doc, data)
}

func encode(doc *yaml.Node, orig []byte) []byte {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return orig
	}
	return buf.Bytes()
}
