package loader

import "strconv"

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
	n := o.pos
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
