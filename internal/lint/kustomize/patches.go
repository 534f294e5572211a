package kustomize

import (
	"path/filepath"
	"regexp"
	"strings"

	yaml "go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/emmdev/emmdev/internal/lint/loader"
)

// patch is one strategic-merge document or JSON 6902 operation list that
// a kustomization applies, with its place in the file it is written in.
type patch struct {
	file   string // as shown to the user
	smp    *loader.Object
	ops    []jsonOp
	target *selector
	// lineOff/colOff shift positions of an inline patch (a block scalar
	// inside kustomization.yaml) to positions in that file.
	lineOff, colOff int
}

type jsonOp struct {
	op   string
	path []string
	node *yaml.Node // the operation's mapping
}

type selector struct {
	group, version, kind, name, namespace string
	labelSelector, annotationSelector     string
}

// patchesOf lists the patches of the kustomization file rel (relative to
// the kustomization root), in the order kustomize applies them
// (patchesStrategicMerge, then patches, then patchesJson6902).
func (c *fileCache) patchesOf(rel string) []*patch {
	kf := c.get(rel)
	if kf == nil || kf.node == nil || kf.node.Kind != yaml.MappingNode {
		return nil
	}
	dir := filepath.Dir(rel)
	var psm, pat, pj []*patch
	m := kf.node
	for i := 0; i+1 < len(m.Content); i += 2 {
		key, val := m.Content[i].Value, m.Content[i+1]
		if val.Kind != yaml.SequenceNode {
			continue
		}
		for _, it := range val.Content {
			switch key {
			case "patchesStrategicMerge":
				if it.Kind == yaml.ScalarNode {
					psm = append(psm, c.patchFrom(kf, dir, it, "", nil)...)
				}
			case "patches", "patchesJson6902":
				if it.Kind != yaml.MappingNode {
					continue
				}
				var body *yaml.Node
				file := ""
				var sel *selector
				for j := 0; j+1 < len(it.Content); j += 2 {
					switch it.Content[j].Value {
					case "path":
						file = it.Content[j+1].Value
					case "patch":
						body = it.Content[j+1]
					case "target":
						sel = parseSelector(it.Content[j+1])
					}
				}
				var got []*patch
				if body != nil {
					got = c.patchFrom(kf, dir, body, "", sel)
				} else if file != "" {
					got = c.patchFrom(kf, dir, nil, file, sel)
				}
				if key == "patches" {
					pat = append(pat, got...)
				} else {
					pj = append(pj, got...)
				}
			}
		}
	}
	return append(append(psm, pat...), pj...)
}

// patchFrom reads a patch given inline (body, a string holding YAML) or
// as a file reference.
func (c *fileCache) patchFrom(kf *sourceFile, dir string, body *yaml.Node, file string, sel *selector) []*patch {
	var name string
	var data []byte
	lineOff, colOff := 0, 0
	switch {
	case body != nil && strings.Contains(body.Value, "\n") || body != nil && (strings.HasPrefix(strings.TrimSpace(body.Value), "[") || strings.HasPrefix(strings.TrimSpace(body.Value), "{")):
		name, data = kf.shown, []byte(body.Value)
		lineOff, colOff = inlineOffset(kf.data, body)
	case body != nil:
		file = body.Value // patchesStrategicMerge: a file name
		fallthrough
	default:
		sf := c.get(filepath.Join(dir, file))
		if sf == nil {
			return nil
		}
		name, data = sf.shown, sf.data
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err == nil && len(root.Content) > 0 && root.Content[0].Kind == yaml.SequenceNode {
		p := &patch{file: name, target: sel, lineOff: lineOff, colOff: colOff}
		for _, opn := range root.Content[0].Content {
			if op, ok := parseOp(opn); ok {
				p.ops = append(p.ops, op)
			}
		}
		return []*patch{p}
	}
	objs, _ := loader.ParseAll(name, data, loader.Options{})
	out := make([]*patch, 0, len(objs))
	for _, o := range objs {
		out = append(out, &patch{file: name, smp: o, target: sel, lineOff: lineOff, colOff: colOff})
	}
	return out
}

// inlineOffset finds where the text of a block scalar starts in the file:
// the first non-blank line after its indicator, and its indentation.
func inlineOffset(data []byte, n *yaml.Node) (lineOff, colOff int) {
	if n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) == 0 {
		return n.Line - 1, n.Column
	}
	lines := strings.Split(string(data), "\n")
	for i := n.Line; i < len(lines); i++ {
		l := lines[i]
		if strings.TrimSpace(l) == "" {
			continue
		}
		return i, len(l) - len(strings.TrimLeft(l, " "))
	}
	return n.Line - 1, n.Column
}

func parseOp(n *yaml.Node) (jsonOp, bool) {
	if n.Kind != yaml.MappingNode {
		return jsonOp{}, false
	}
	op := jsonOp{node: n}
	for i := 0; i+1 < len(n.Content); i += 2 {
		switch n.Content[i].Value {
		case "op":
			op.op = n.Content[i+1].Value
		case "path":
			p := strings.TrimPrefix(n.Content[i+1].Value, "/")
			for _, s := range strings.Split(p, "/") {
				op.path = append(op.path, strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~"))
			}
		}
	}
	return op, op.op != "" && op.path != nil
}

func parseSelector(n *yaml.Node) *selector {
	if n.Kind != yaml.MappingNode {
		return nil
	}
	s := &selector{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		v := n.Content[i+1].Value
		switch n.Content[i].Value {
		case "group":
			s.group = v
		case "version":
			s.version = v
		case "kind":
			s.kind = v
		case "name":
			s.name = v
		case "namespace":
			s.namespace = v
		case "labelSelector":
			s.labelSelector = v
		case "annotationSelector":
			s.annotationSelector = v
		}
	}
	return s
}

// targets reports whether p applies to the rendered object ro, whose
// source document (before any renaming) is named baseName. Names are
// compared before and after kustomize's prefixes and suffixes.
func (p *patch) targets(ro *Rendered, baseName string) bool {
	kind, _ := ro.obj["kind"].(string)
	apiVersion, _ := ro.obj["apiVersion"].(string)
	name, _ := dig(ro.obj, "metadata", "name").(string)
	nameOK := func(n string) bool {
		return n == baseName || n == name || (strings.Contains(name, n) && strings.Contains(n, baseName))
	}
	if p.target == nil {
		if p.smp == nil {
			return false // a JSON 6902 patch without a target applies to nothing
		}
		return p.smp.Kind == kind && nameOK(p.smp.Name)
	}
	t := p.target
	group, version, hasGroup := strings.Cut(apiVersion, "/")
	if !hasGroup {
		group, version = "", apiVersion
	}
	if (t.kind != "" && t.kind != kind) || (t.group != "" && t.group != group) || (t.version != "" && t.version != version) {
		return false
	}
	if t.name != "" {
		re, err := regexp.Compile("^(?:" + t.name + ")$")
		if err != nil || (!re.MatchString(baseName) && !re.MatchString(name)) {
			return false
		}
	}
	for _, sf := range [][2]string{{t.labelSelector, "labels"}, {t.annotationSelector, "annotations"}} {
		sel, field := sf[0], sf[1]
		if sel == "" {
			continue
		}
		ls, err := labels.Parse(sel)
		if err != nil {
			return false
		}
		set := labels.Set{}
		if m, ok := dig(ro.obj, "metadata", field).(map[string]any); ok {
			for k, v := range m {
				if s, ok := v.(string); ok {
					set[k] = s
				}
			}
		}
		if !ls.Matches(set) {
			return false
		}
	}
	return true
}

func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}
