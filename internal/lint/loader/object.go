package loader

import (
	"fmt"
	"strings"
	"sync"

	yaml "go.yaml.in/yaml/v3"
)

// Object is one Kubernetes object with its source position index.
type Object struct {
	File string
	// Doc is the 1-based document number within File.
	Doc int
	// Obj is the decoded object, JSON-compatible (map[string]any, []any,
	// string, int64, float64, bool, nil).
	Obj map[string]any

	APIVersion, Kind, Name, Namespace string

	pos   *pnode       // compact position tree of the object's mapping
	notes []scalarNote // indexed by pentry.note-1, shared by a List's items

	// Objects the fast path read get their positions on first use, by
	// reading their document again: a clean lint run asks for none, and
	// the position trees were a quarter of the memory of loaded objects.
	lazy   lazyPos
	locate sync.Once
}

// lazyPos is where the fast path found an object's document.
type lazyPos struct {
	src       string // the file; "" when pos was set when loading
	off, line int32  // where the document starts
	maxDepth  int32
}

// positions returns the position tree, building it on first use.
func (o *Object) positions() (*pnode, []scalarNote) {
	if o.lazy.src != "" {
		o.locate.Do(func() {
			f := &fastParser{src: o.lazy.src, pos: int(o.lazy.off), line: int(o.lazy.line), maxDepth: int(o.lazy.maxDepth), positions: true}
			if d, ok := f.document(); ok && d.cv.pos != nil {
				o.pos, o.notes = d.cv.pos, d.notes
			} else {
				// Cannot happen: the same text gave the object. Still,
				// never a nil tree.
				o.pos = &pnode{line: o.lazy.line, col: 1}
			}
		})
	}
	return o.pos, o.notes
}

// Ref names the object the way kubectl does: Kind namespace/name.
func (o *Object) Ref() string {
	name := o.Name
	if name == "" {
		name = "<unnamed>"
	}
	if o.Namespace != "" {
		name = o.Namespace + "/" + name
	}
	return o.Kind + " " + name
}

// Line and Col of the object itself (its first key).
func (o *Object) Line() int {
	pos, _ := o.positions()
	return int(pos.line)
}

// Col is the column of the object's first key.
func (o *Object) Col() int {
	pos, _ := o.positions()
	return int(pos.col)
}

func documentObjects(file string, doc int, n *yaml.Node, opts Options) ([]*Object, error) {
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return nil, nil
		}
		n = n.Content[0]
	}
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		return nil, nil // empty document between `---` separators
	}
	c := &converter{file: file, budget: opts.MaxAliasNodes, limit: opts.MaxAliasNodes, maxDepth: opts.MaxDepth}
	cv, err := c.convert(n, 0)
	if err != nil {
		return nil, err
	}
	return convertedObjects(file, doc, cv, c.notes, lazyPos{}, n.Line, n.Column)
}

// convertedObjects makes the objects of one converted document (several
// for a List); line and col locate the document's value. With a lazy
// source, cv has no positions: they are read again when needed.
func convertedObjects(file string, doc int, cv converted, notes []scalarNote, lazy lazyPos, line, col int) ([]*Object, error) {
	m, ok := cv.v.(map[string]any)
	if !ok {
		return nil, &Error{File: file, Line: line, Col: col,
			Msg: fmt.Sprintf("document %d is a %s, want a Kubernetes object (a mapping with apiVersion and kind)", doc, typeName(cv.v))}
	}
	obj, err := newObject(file, doc, m, cv.pos, notes, lazy)
	if err != nil {
		return nil, err
	}
	if !isList(obj) {
		return []*Object{obj}, nil
	}
	return expandList(obj)
}

// isList matches kind: List and the typed lists kubectl prints (PodList...).
func isList(o *Object) bool {
	if o.Kind == "List" {
		return true // a List without items is an empty List, not an unknown kind
	}
	if !strings.HasSuffix(o.Kind, "List") {
		return false
	}
	_, has := o.Obj["items"]
	return has
}

func expandList(list *Object) ([]*Object, error) {
	if list.Obj["items"] == nil {
		return nil, nil // `items:` absent or null: an empty List
	}
	items, ok := list.Obj["items"].([]any)
	listPos, notes := list.positions()
	itemsPos := listPos.child("items")
	if !ok || itemsPos == nil || !itemsPos.seq || len(itemsPos.ents) != len(items) {
		line, col := list.Pos("items")
		return nil, &Error{File: list.File, Line: line, Col: col, Msg: list.Kind + ".items must be a list of objects"}
	}
	out := make([]*Object, 0, len(items))
	for i, it := range items {
		e := itemsPos.ents[i]
		m, ok := it.(map[string]any)
		if !ok || e.child == nil {
			return nil, &Error{File: list.File, Line: int(e.line), Col: int(e.col),
				Msg: fmt.Sprintf("%s.items[%d] is a %s, want an object", list.Kind, i, typeName(it))}
		}
		obj, err := newObject(list.File, list.Doc, m, e.child, notes, lazyPos{})
		if err != nil {
			return nil, err
		}
		if isList(obj) {
			return nil, &Error{File: list.File, Line: int(e.line), Col: int(e.col), Msg: "nested lists are not supported"}
		}
		out = append(out, obj)
	}
	return out, nil
}

func newObject(file string, doc int, m map[string]any, pos *pnode, notes []scalarNote, lazy lazyPos) (*Object, error) {
	o := &Object{File: file, Doc: doc, Obj: m, pos: pos, notes: notes, lazy: lazy}
	fail := func(path []string, format string, a ...any) error {
		line, col := o.Pos(path...)
		return &Error{File: file, Line: line, Col: col, Msg: fmt.Sprintf(format, a...)}
	}
	var ok bool
	if o.APIVersion, ok = m["apiVersion"].(string); !ok || o.APIVersion == "" {
		return nil, fail([]string{"apiVersion"}, "not a Kubernetes object: apiVersion must be a non-empty string")
	}
	if o.Kind, ok = m["kind"].(string); !ok || o.Kind == "" {
		return nil, fail([]string{"kind"}, "not a Kubernetes object: kind must be a non-empty string")
	}
	md, has := m["metadata"]
	if !has || md == nil {
		return o, nil
	}
	meta, ok := md.(map[string]any)
	if !ok {
		return nil, fail([]string{"metadata"}, "%s: metadata must be a mapping, got a %s", o.Kind, typeName(md))
	}
	for _, k := range []string{"name", "namespace"} {
		v, has := meta[k]
		if !has || v == nil {
			continue
		}
		s, ok := v.(string)
		if !ok {
			return nil, fail([]string{"metadata", k}, "%s: metadata.%s must be a string, got a %s", o.Kind, k, typeName(v))
		}
		if k == "name" {
			o.Name = s
		} else {
			o.Namespace = s
		}
	}
	return o, nil
}

func typeName(v any) string {
	switch v.(type) {
	case map[string]any:
		return "mapping"
	case []any:
		return "list"
	case string:
		return "string"
	case int64, float64:
		return "number"
	case bool:
		return "boolean"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", v)
}
