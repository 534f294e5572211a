package loader

import (
	"fmt"
	"strings"

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
func (o *Object) Line() int { return int(o.pos.line) }

// Col is the column of the object's first key.
func (o *Object) Col() int { return int(o.pos.col) }

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
	return convertedObjects(file, doc, cv, c.notes, n.Line, n.Column)
}

// convertedObjects makes the objects of one converted document (several
// for a List); line and col locate the document's value.
func convertedObjects(file string, doc int, cv converted, notes []scalarNote, line, col int) ([]*Object, error) {
	m, ok := cv.v.(map[string]any)
	if !ok {
		return nil, &Error{File: file, Line: line, Col: col,
			Msg: fmt.Sprintf("document %d is a %s, want a Kubernetes object (a mapping with apiVersion and kind)", doc, typeName(cv.v))}
	}
	obj, err := newObject(file, doc, m, cv.pos)
	if err != nil {
		return nil, err
	}
	obj.notes = notes
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
	itemsPos := list.pos.child("items")
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
		obj, err := newObject(list.File, list.Doc, m, e.child)
		if err != nil {
			return nil, err
		}
		obj.notes = list.notes
		if isList(obj) {
			return nil, &Error{File: list.File, Line: int(e.line), Col: int(e.col), Msg: "nested lists are not supported"}
		}
		out = append(out, obj)
	}
	return out, nil
}

func newObject(file string, doc int, m map[string]any, pos *pnode) (*Object, error) {
	o := &Object{File: file, Doc: doc, Obj: m, pos: pos}
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
