package apivalidation

import (
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/runtime"
	kjson "sigs.k8s.io/json"
)

// jsonBuffers recycles the JSON text of objects: the decoder copies what it
// keeps, and a fresh 4 KB buffer per object was a fifth of the bytes a
// validation allocates.
var jsonBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// decodeStrict decodes body into obj the way the API server does with
// fieldValidation=Strict (sigs.k8s.io/json: case-sensitive, ints kept,
// unknown and duplicate fields reported). A fatal error (a value of the
// wrong JSON type, a bad quantity) stops the API server at the first one;
// here every such value is located, left out, and the rest decoded, so one
// run shows every problem.
func decodeStrict(body map[string]any, newObj func() (runtime.Object, error)) (runtime.Object, []Issue, error) {
	var issues []Issue
	buf := jsonBuffers.Get().(*[]byte)
	defer jsonBuffers.Put(buf)
	for attempt := 0; ; attempt++ {
		data, err := appendJSON((*buf)[:0], body)
		if err != nil {
			return nil, nil, err
		}
		*buf = data
		obj, err := newObj()
		if err != nil {
			return nil, nil, err
		}
		strictErrs, err := kjson.UnmarshalStrict(data, obj)
		if err == nil {
			for _, se := range strictErrs {
				issues = append(issues, strictIssue(body, se))
			}
			return obj, issues, nil
		}
		bad := locate(reflect.TypeOf(obj).Elem(), body, nil, nil, "")
		if len(bad) == 0 || attempt > 0 {
			// Not located (or still failing without the located values):
			// report the decoder's own error on the whole object.
			issues = append(issues, Issue{Kind: Decode, Message: err.Error()})
			return nil, issues, nil
		}
		// Decode the rest without them: unknown fields elsewhere are
		// still reported.
		issues = append(issues, bad...)
		body = deepCopy(body).(map[string]any)
		for _, is := range bad {
			prune(body, is.Path)
		}
	}
}

func strictIssue(body map[string]any, err error) Issue {
	msg := err.Error()
	var fe interface{ FieldPath() string }
	if errors.As(err, &fe) {
		return Issue{Kind: Unknown, Path: resolvePath(body, fe.FieldPath()), Field: fe.FieldPath(), Message: msg}
	}
	return Issue{Kind: Unknown, Message: msg}
}

// locate walks a JSON value alongside the Go type the API server decodes
// it into and returns every value the decoder rejects, each found by
// decoding that value alone into its field's type, so the verdict and the
// message are the decoder's own.
func locate(t reflect.Type, v any, path []string, fields []string, structName string) []Issue {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if v == nil {
		return nil // null decodes into anything (as the zero value)
	}
	if isUnmarshaler(t) {
		return leaf(t, v, path, fields, structName)
	}
	switch t.Kind() {
	case reflect.Struct:
		m, ok := v.(map[string]any)
		if !ok {
			return leaf(t, v, path, fields, structName)
		}
		byName := jsonFields(t)
		var out []Issue
		for k, fv := range m {
			f, ok := byName[k]
			if !ok {
				continue // an unknown field: strict decoding reports it
			}
			out = append(out, locate(f.Type, fv, appendPath(path, k), appendPath(fields, k), t.Name())...)
		}
		return out
	case reflect.Map:
		m, ok := v.(map[string]any)
		if !ok {
			return leaf(t, v, path, fields, structName)
		}
		var out []Issue
		for k, ev := range m {
			out = append(out, locate(t.Elem(), ev, appendPath(path, k), fields, structName)...)
		}
		return out
	case reflect.Slice:
		l, ok := v.([]any)
		if !ok || t.Elem().Kind() == reflect.Uint8 {
			return leaf(t, v, path, fields, structName)
		}
		var out []Issue
		for i, ev := range l {
			out = append(out, locate(t.Elem(), ev, appendPath(path, strconv.Itoa(i)), fields, structName)...)
		}
		return out
	case reflect.Interface:
		return nil
	}
	return leaf(t, v, path, fields, structName)
}

var (
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[interface{ UnmarshalText([]byte) error }]()
)

func isUnmarshaler(t reflect.Type) bool {
	pt := reflect.PointerTo(t)
	return pt.Implements(jsonUnmarshaler) || pt.Implements(textUnmarshaler)
}

// leaf decodes one value into a fresh t and reports the decoder's error,
// worded as the API server words it for the whole object (naming the Go
// struct and the field path, as encoding/json does).
func leaf(t reflect.Type, v any, path, fields []string, structName string) []Issue {
	data, err := json.Marshal(v)
	if err != nil {
		return []Issue{{Kind: Decode, Path: path, Message: err.Error()}}
	}
	err = kjson.UnmarshalCaseSensitivePreserveInts(data, reflect.New(t).Interface())
	if err == nil {
		return nil
	}
	msg := err.Error()
	if before, after, ok := strings.Cut(msg, " into Go value of type "); ok && structName != "" && len(fields) > 0 {
		msg = before + " into Go struct field " + structName + "." + strings.Join(fields, ".") + " of type " + after
	}
	return []Issue{{Kind: Decode, Path: path, Message: msg}}
}

// jsonFields maps the JSON names of a struct's fields (embedded structs
// flattened, as encoding/json does) to the fields.
func jsonFields(t reflect.Type) map[string]reflect.StructField {
	out := map[string]reflect.StructField{}
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for i := range t.NumField() {
			f := t.Field(i)
			tag := f.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, _, _ := strings.Cut(tag, ",")
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if f.Anonymous && name == "" && ft.Kind() == reflect.Struct {
				walk(ft)
				continue
			}
			if !f.IsExported() {
				continue
			}
			if name == "" {
				name = f.Name
			}
			if _, taken := out[name]; !taken {
				out[name] = f
			}
		}
	}
	walk(t)
	return out
}

func appendPath(p []string, s string) []string {
	out := make([]string, len(p), len(p)+1)
	copy(out, p)
	return append(out, s)
}

func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		l := make([]any, len(x))
		for i, e := range x {
			l[i] = deepCopy(e)
		}
		return l
	}
	return v
}

// prune removes the value at path (a list item becomes null, which keeps
// the other indexes where they are).
func prune(v any, path []string) {
	if len(path) == 0 {
		return
	}
	for _, seg := range path[:len(path)-1] {
		switch x := v.(type) {
		case map[string]any:
			v = x[seg]
		case []any:
			i, err := strconv.Atoi(seg)
			if err != nil || i < 0 || i >= len(x) {
				return
			}
			v = x[i]
		default:
			return
		}
	}
	last := path[len(path)-1]
	switch x := v.(type) {
	case map[string]any:
		delete(x, last)
	case []any:
		if i, err := strconv.Atoi(last); err == nil && i >= 0 && i < len(x) {
			x[i] = nil
		}
	}
}
