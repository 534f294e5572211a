package loader

import (
	"fmt"

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
	notes    []scalarNote        // plain scalars read as non-strings, for Object.Coerced
}

func (c *converter) errAt(n *yaml.Node, format string, a ...any) error {
	return &Error{File: c.file, Line: n.Line, Col: n.Column, Msg: fmt.Sprintf(format, a...)}
}

// converted is one converted node: its JSON value, the position index of a
// collection, and for a plain scalar read as a non-string, how it was read.
type converted struct {
	v    any
	pos  *pnode
	note int32 // 1-based index into converter.notes; 0 for none
}

// convert returns the value of n and, for collections, its position index.
func (c *converter) convert(n *yaml.Node, depth int) (converted, error) {
	if depth > c.maxDepth {
		return converted{}, c.errAt(n, "nesting deeper than %d levels", c.maxDepth)
	}
	if c.inAlias > 0 {
		c.budget--
		if c.budget < 0 {
			return converted{}, c.errAt(c.outer, "alias *%s expands past %d nodes (YAML bomb?)", c.outer.Value, c.limit)
		}
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return converted{}, nil
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
			cv, err := c.convert(item, depth+1)
			if err != nil {
				return converted{}, err
			}
			out[i] = cv.v
			pn.ents[i] = pentry{line: int32(item.Line), col: int32(item.Column), child: cv.pos, note: cv.note}
		}
		return converted{v: out, pos: pn}, nil
	case yaml.ScalarNode:
		return c.scalar(n)
	}
	return converted{}, c.errAt(n, "unsupported YAML node")
}

// scalar resolves a scalar to the value the API server receives after
// kubectl's YAML-to-JSON step (see yaml11.go).
func (c *converter) scalar(n *yaml.Node) (converted, error) {
	v, err := resolve11(n)
	if err != nil {
		return converted{}, c.errAt(n, "%v (kubectl fails on this file)", err)
	}
	jv, err := jsonValue(v)
	if err != nil {
		return converted{}, c.errAt(n, "%q is read as the float %v, which JSON cannot carry, so kubectl fails on this file; quote it", n.Value, v)
	}
	cv := converted{v: jv}
	if _, isString := jv.(string); !isString && isPlain(n) {
		c.notes = append(c.notes, scalarNote{line: int32(n.Line), col: int32(n.Column), raw: n.Value})
		cv.note = int32(len(c.notes))
	}
	return cv, nil
}

func (c *converter) alias(n *yaml.Node, depth int) (converted, error) {
	target := n.Alias
	if target == nil {
		return converted{}, c.errAt(n, "alias *%s has no anchor", n.Value)
	}
	if c.active == nil {
		c.active = map[*yaml.Node]bool{}
	}
	if c.active[target] {
		return converted{}, c.errAt(n, "alias *%s refers to itself", n.Value)
	}
	c.active[target] = true
	if c.inAlias == 0 {
		c.outer = n
	}
	c.inAlias++
	cv, err := c.convert(target, depth+1)
	c.inAlias--
	delete(c.active, target)
	return cv, err
}

// key returns the JSON key kubectl makes of a mapping key node.
func (c *converter) key(k *yaml.Node) (string, error) {
	if k.Kind == yaml.ScalarNode && isPlain(k) && plainIsString(k.Value) {
		return k.Value, nil // most keys: a word YAML 1.1 reads as itself
	}
	if t := resolveAlias(k); t != nil && t.Kind == yaml.ScalarNode {
		k = t
	}
	if k.Kind != yaml.ScalarNode {
		return "", c.errAt(k, "mapping key must be a string")
	}
	v, err := resolve11(k)
	if err != nil {
		return "", c.errAt(k, "%v (kubectl fails on this file)", err)
	}
	s, ok := keyString(v)
	if !ok {
		if v == nil {
			return "", c.errAt(k, "mapping key %q is read as null, which kubectl cannot convert to JSON; quote it", k.Value)
		}
		return "", c.errAt(k, "mapping key %s does not fit a 64-bit integer, which kubectl cannot convert to JSON; quote it", k.Value)
	}
	return s, nil
}

// isMergeKey follows go-yaml v2: a plain << or one tagged !!merge.
func isMergeKey(k *yaml.Node) bool {
	return k.Kind == yaml.ScalarNode && k.Value == "<<" && (isPlain(k) || k.Tag == tagMerge)
}

// mapping converts a mapping with go-yaml v2's semantics, which kubectl
// has: a << merge writes its keys where it appears, so it overrides keys
// written before it and is overridden by keys written after it. A key
// written twice in the same mapping is an error (kubectl would silently
// keep the last one).
func (c *converter) mapping(n *yaml.Node, depth int) (converted, error) {
	out := make(map[string]any, len(n.Content)/2)
	pn := &pnode{line: int32(n.Line), col: int32(n.Column), ents: make([]pentry, 0, len(n.Content)/2)}
	var merged map[string]bool // keys last written by a merge, which an explicit key may override
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if isMergeKey(k) {
			srcs, err := c.mergeSources(v)
			if err != nil {
				return converted{}, err
			}
			for _, src := range srcs {
				cv, err := c.convert(src, depth+1)
				if err != nil {
					return converted{}, err
				}
				mm, _ := cv.v.(map[string]any)
				for _, e := range cv.pos.ents {
					if merged == nil {
						merged = map[string]bool{}
					}
					merged[e.key] = true
					pn.set(out, e.key, mm[e.key], e)
				}
			}
			continue
		}
		key, err := c.key(k)
		if err != nil {
			return converted{}, err
		}
		_, exists := out[key]
		if exists && !merged[key] {
			return converted{}, c.errAt(k, "duplicate key %q (first at line %d)", key, c.firstKeyLine(n, k, key))
		}
		cv, err := c.convert(v, depth+1)
		if err != nil {
			return converted{}, err
		}
		e := pentry{key: key, line: int32(k.Line), col: int32(k.Column), child: cv.pos, note: cv.note}
		if exists {
			delete(merged, key)
			pn.set(out, key, cv.v, e)
			continue
		}
		out[key] = cv.v
		pn.ents = append(pn.ents, e)
	}
	return converted{v: out, pos: pn}, nil
}

// set writes a key that may already be there (merges only; plain keys take
// the fast path in mapping): the entry keeps its place in key order.
func (pn *pnode) set(out map[string]any, key string, v any, e pentry) {
	if _, has := out[key]; has {
		for i := range pn.ents {
			if pn.ents[i].key == key {
				pn.ents[i] = e
				break
			}
		}
	} else {
		pn.ents = append(pn.ents, e)
	}
	out[key] = v
}

// mergeSources lists the mappings a << merges, in the order go-yaml v2
// applies them (a list of maps backwards: earlier maps take precedence).
func (c *converter) mergeSources(v *yaml.Node) ([]*yaml.Node, error) {
	isMap := func(n *yaml.Node) bool {
		t := n
		if n.Kind == yaml.AliasNode {
			t = n.Alias
		}
		return t != nil && t.Kind == yaml.MappingNode
	}
	switch {
	case isMap(v):
		return []*yaml.Node{v}, nil
	case v.Kind == yaml.SequenceNode:
		srcs := make([]*yaml.Node, 0, len(v.Content))
		for i := len(v.Content) - 1; i >= 0; i-- {
			if !isMap(v.Content[i]) {
				return nil, c.errAt(v.Content[i], "merge key << needs a mapping or a list of mappings")
			}
			srcs = append(srcs, v.Content[i])
		}
		return srcs, nil
	}
	return nil, c.errAt(v, "merge key << needs a mapping or a list of mappings")
}

func (c *converter) firstKeyLine(n, dup *yaml.Node, key string) int {
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if k == dup || isMergeKey(k) {
			continue
		}
		if s, err := c.key(k); err == nil && s == key {
			return k.Line
		}
	}
	return 0
}

func resolveAlias(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && n.Alias != nil && i < 100; i++ {
		n = n.Alias
	}
	return n
}
