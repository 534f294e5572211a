package loader

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// converter turns a yaml.Node tree into JSON-compatible values in one pass,
// so objects are never decoded twice. It enforces the hostile-input limits
// itself because yaml.v3 does not check aliases or duplicate keys when
// decoding into a Node.
type converter struct {
	file     string
	budget   int // nodes that may still be produced through aliases
	limit    int
	maxDepth int
	inAlias  int
	outer    *yaml.Node          // outermost alias being expanded, where a bomb is reported
	active   map[*yaml.Node]bool // anchors being expanded, to catch cycles
}

func (c *converter) errAt(n *yaml.Node, format string, a ...any) error {
	return &Error{File: c.file, Line: n.Line, Col: n.Column, Msg: fmt.Sprintf(format, a...)}
}

// convert returns the value of n and, for collections, its position index.
func (c *converter) convert(n *yaml.Node, depth int) (any, *pnode, error) {
	if depth > c.maxDepth {
		return nil, nil, c.errAt(n, "nesting deeper than %d levels", c.maxDepth)
	}
	if c.inAlias > 0 {
		c.budget--
		if c.budget < 0 {
			return nil, nil, c.errAt(c.outer, "alias *%s expands past %d nodes (YAML bomb?)", c.outer.Value, c.limit)
		}
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil, nil
		}
		return c.convert(n.Content[0], depth)
	case yaml.AliasNode:
		return c.alias(n, depth)
	case yaml.MappingNode:
		return c.mapping(n, depth)
	case yaml.SequenceNode:
		out := make([]any, len(n.Content))
		pn := &pnode{line: int32(n.Line), col: int32(n.Column), seq: true, ents: make([]pentry, len(n.Content))}
		for i, item := range n.Content {
			v, child, err := c.convert(item, depth+1)
			if err != nil {
				return nil, nil, err
			}
			out[i] = v
			pn.ents[i] = pentry{line: int32(item.Line), col: int32(item.Column), child: child}
		}
		return out, pn, nil
	case yaml.ScalarNode:
		return scalar(n), nil, nil
	}
	return nil, nil, c.errAt(n, "unsupported YAML node")
}

func (c *converter) alias(n *yaml.Node, depth int) (any, *pnode, error) {
	target := n.Alias
	if target == nil {
		return nil, nil, c.errAt(n, "alias *%s has no anchor", n.Value)
	}
	if c.active == nil {
		c.active = map[*yaml.Node]bool{}
	}
	if c.active[target] {
		return nil, nil, c.errAt(n, "alias *%s refers to itself", n.Value)
	}
	c.active[target] = true
	if c.inAlias == 0 {
		c.outer = n
	}
	c.inAlias++
	v, pn, err := c.convert(target, depth+1)
	c.inAlias--
	delete(c.active, target)
	return v, pn, err
}

func (c *converter) mapping(n *yaml.Node, depth int) (any, *pnode, error) {
	out := make(map[string]any, len(n.Content)/2)
	pn := &pnode{line: int32(n.Line), col: int32(n.Column), ents: make([]pentry, 0, len(n.Content)/2)}
	var merges []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			merges = append(merges, v)
			continue
		}
		if k.Kind != yaml.ScalarNode {
			return nil, nil, c.errAt(k, "mapping key must be a string")
		}
		if _, dup := out[k.Value]; dup {
			return nil, nil, c.errAt(k, "duplicate key %q (first at line %d)", k.Value, c.firstKeyLine(n, k.Value))
		}
		val, child, err := c.convert(v, depth+1)
		if err != nil {
			return nil, nil, err
		}
		out[k.Value] = val
		pn.ents = append(pn.ents, pentry{key: k.Value, line: int32(k.Line), col: int32(k.Column), child: child})
	}
	// Explicit keys win over merged ones, whatever their order (YAML 1.1 merge).
	for _, m := range merges {
		srcs := []*yaml.Node{m}
		if resolveAlias(m).Kind == yaml.SequenceNode {
			srcs = resolveAlias(m).Content
		}
		for _, src := range srcs {
			v, srcPos, err := c.convert(src, depth+1)
			if err != nil {
				return nil, nil, err
			}
			mm, ok := v.(map[string]any)
			if !ok || srcPos == nil {
				return nil, nil, c.errAt(src, "merge key << needs a mapping, got a %s", typeName(v))
			}
			// Walk the source's entries, not the map, to keep key order
			// (and positions at the anchor) deterministic.
			for _, e := range srcPos.ents {
				if _, has := out[e.key]; !has {
					out[e.key] = mm[e.key]
					pn.ents = append(pn.ents, e)
				}
			}
		}
	}
	return out, pn, nil
}

func (c *converter) firstKeyLine(n *yaml.Node, key string) int {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i].Line
		}
	}
	return 0
}

// scalar resolves a scalar the way the API server's JSON decoder will see
// it after kubectl's YAML-to-JSON step, for the types manifests use.
func scalar(n *yaml.Node) any {
	switch n.ShortTag() {
	case "!!null":
		return nil
	case "!!bool":
		b, err := strconv.ParseBool(strings.ToLower(n.Value))
		if err != nil {
			return n.Value
		}
		return b
	case "!!int":
		s := strings.ReplaceAll(n.Value, "_", "")
		if i, err := strconv.ParseInt(s, 0, 64); err == nil {
			return i
		}
		if strings.HasPrefix(s, "0o") || strings.HasPrefix(s, "-0o") {
			if i, err := strconv.ParseInt(strings.Replace(s, "0o", "0", 1), 8, 64); err == nil {
				return i
			}
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return f
		}
		return n.Value
	case "!!float":
		switch strings.ToLower(n.Value) {
		case ".inf", "+.inf":
			return math.Inf(1)
		case "-.inf":
			return math.Inf(-1)
		case ".nan":
			return math.NaN()
		}
		if f, err := strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), 64); err == nil {
			return f
		}
		return n.Value
	}
	return n.Value // !!str, !!timestamp, !!binary and custom tags stay text
}

func resolveAlias(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && n.Alias != nil && i < 100; i++ {
		n = n.Alias
	}
	return n
}
