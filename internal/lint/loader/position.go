package loader

import (
	"fmt"
	"strconv"
)

// pnode is the compact position index of one mapping or sequence: the
// line:col of every key (mapping) or item (sequence), and the index of each
// nested collection. Scalars need no node of their own. It replaces the
// yaml.Node tree, which is ten times larger, once an object is decoded.
type pnode struct {
	line, col int32
	seq       bool
	ents      []pentry
}

type pentry struct {
	key       string // mapping key; "" for sequence items
	line, col int32
	child     *pnode // nil when the value is a scalar
	note      int32  // 1-based index into Object.notes when a plain scalar was read as a non-string
}

// scalarNote remembers a plain scalar that kubectl's YAML 1.1 reading turns
// into a boolean, number or null, so a finding can say so at its place.
type scalarNote struct {
	line, col int32
	raw       string
}

// child returns the collection under key (mappings only).
func (n *pnode) child(key string) *pnode {
	if n == nil || n.seq {
		return nil
	}
	for i := range n.ents {
		if n.ents[i].key == key {
			return n.ents[i].child
		}
	}
	return nil
}

// Pos returns the line and column of the field at path (JSON path segments,
// list indexes as decimal strings). For a mapping field it is the key's
// position, for a list item the item's. When the field does not exist the
// position of the deepest existing parent is returned, which is where a user
// would add the missing field.
func (o *Object) Pos(path ...string) (line, col int) {
	line, col, _ = o.Lookup(path...)
	return line, col
}

// Lookup is Pos that also reports whether the whole path exists.
func (o *Object) Lookup(path ...string) (line, col int, found bool) {
	n, _ := o.positions()
	line, col = int(n.line), int(n.col)
	for _, seg := range path {
		e := n.entry(seg)
		if e == nil {
			return line, col, false
		}
		line, col = int(e.line), int(e.col)
		n = e.child
	}
	return line, col, true
}

func (n *pnode) entry(seg string) *pentry {
	if n == nil {
		return nil
	}
	if n.seq {
		i, err := strconv.Atoi(seg)
		if err != nil || i < 0 || i >= len(n.ents) {
			return nil
		}
		return &n.ents[i]
	}
	for i := range n.ents {
		if n.ents[i].key == seg {
			return &n.ents[i]
		}
	}
	return nil
}

// Coercion describes a plain scalar that kubectl reads as a non-string by
// YAML 1.1 rules (NO, yes, on, 1.10, 0755, ~): where it was written, as
// written, and the value the API server receives.
type Coercion struct {
	Line, Col int
	Raw       string
	Value     any
}

// Message says what kubectl reads, e.g. `"NO" is read as boolean false; quote it`.
func (c Coercion) Message() string {
	return fmt.Sprintf("%q is read as %s; quote it", c.Raw, describe(c.Value))
}

// Coerced reports whether the scalar at path is a plain scalar kubectl
// reads as a non-string, and how.
func (o *Object) Coerced(path ...string) (Coercion, bool) {
	if len(path) == 0 {
		return Coercion{}, false
	}
	n, notes := o.positions()
	var e *pentry
	for _, seg := range path {
		if e = n.entry(seg); e == nil {
			return Coercion{}, false
		}
		n = e.child
	}
	if e.note <= 0 || int(e.note) > len(notes) {
		return Coercion{}, false
	}
	note := notes[e.note-1]
	var v any = o.Obj
	for _, seg := range path {
		switch c := v.(type) {
		case map[string]any:
			v = c[seg]
		case []any:
			i, _ := strconv.Atoi(seg)
			v = c[i]
		}
	}
	return Coercion{Line: int(note.line), Col: int(note.col), Raw: note.raw, Value: v}, true
}
