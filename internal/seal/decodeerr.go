package seal

import (
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	yaml3 "go.yaml.in/yaml/v3"
)

// Decode errors must never quote input values: a Secret's values are the
// plaintext being sealed, and the YAML and JSON libraries happily put them
// in their messages (yaml: cannot decode !!str `hunter2` as a !!int;
// json: cannot unmarshal number 42 into ...). So every message here is
// built from key names, tags and types only, and whatever library text is
// passed through is scrubbed of quoted scalars first.

// fileLine turns a line of the document into a line of its file.
func (d Document) fileLine(n int) int {
	if n < 1 {
		return d.Line
	}
	return d.Line + n - 1
}

var (
	quotedRE    = regexp.MustCompile("`[^`]*`?|\"(?:[^\"\\\\]|\\\\.)*\"?|'[^']*'?")
	numberValRE = regexp.MustCompile(`\bnumber \S+`)
	stdTagRE    = regexp.MustCompile(`^!![a-z]+$`)
)

// scrub removes anything a library might have quoted from the input.
func scrub(msg string) string {
	msg = quotedRE.ReplaceAllStringFunc(msg, func(q string) string {
		if len(q) == 3 && q[0] == q[2] && strings.ContainsRune(",:[]{}-?", rune(q[1])) {
			return q // the parser naming the token it expected: ',' or ']'
		}
		return "<value>"
	})
	return numberValRE.ReplaceAllString(msg, "number")
}

// docError points a YAML library error at file:line, value-free. YAML
// errors carry a line relative to the document; it is shifted to the
// file's numbering.
func docError(file string, d Document, err error) error {
	msg := err.Error()
	line := d.Line
	if m := yamlLine.FindStringSubmatchIndex(msg); m != nil {
		n, _ := strconv.Atoi(msg[m[2]:m[3]])
		line = d.fileLine(n)
		msg = msg[:m[0]] + msg[m[1]:]
	}
	msg = strings.TrimPrefix(msg, "error converting YAML to JSON: ")
	return fmt.Errorf("%s:%d: %s", file, line, scrub(msg))
}

// stringMaps are the map[string]string (or []byte) fields of the decoded
// kinds, by dotted path; their values must be scalars that read as
// strings. bytesMaps additionally hold base64.
var (
	stringMaps = map[string]bool{
		"data": true, "stringData": true, "metadata.labels": true, "metadata.annotations": true,
		"spec.encryptedData": true, "spec.template.data": true,
		"spec.template.metadata.labels": true, "spec.template.metadata.annotations": true,
	}
	secretBytesMaps = map[string]bool{"data": true}
)

// checkTree walks a parsed document before the real decode and reports,
// with the offending key's line and never its value, what the libraries
// would otherwise report with the value and without a useful line:
// duplicate keys, tagged scalars that do not fit their tag, non-string
// values in string maps and bad base64 in a Secret's data.
func checkTree(file string, d Document, root *yaml3.Node, bytesMaps map[string]bool) error {
	var walk func(n *yaml3.Node, path string) error
	walk = func(n *yaml3.Node, path string) error {
		switch n.Kind {
		case yaml3.DocumentNode:
			for _, c := range n.Content {
				if err := walk(c, path); err != nil {
					return err
				}
			}
		case yaml3.SequenceNode:
			for i, c := range n.Content {
				if err := walk(c, fmt.Sprintf("%s[%d]", path, i)); err != nil {
					return err
				}
			}
		case yaml3.MappingNode:
			seen := map[string]bool{}
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				if k.Kind != yaml3.ScalarNode {
					return fmt.Errorf("%s:%d: %s: keys must be strings", file, d.fileLine(k.Line), describe(path))
				}
				if err := checkScalar(file, d, k, path, "key"); err != nil {
					return err
				}
				child := k.Value
				if path != "" {
					child = path + "." + k.Value
				}
				if k.Value != "<<" && seen[k.Value] {
					return fmt.Errorf("%s:%d: duplicate key: %s appears twice", file, d.fileLine(k.Line), describe(child))
				}
				seen[k.Value] = true
				if stringMaps[path] {
					if err := checkStringValue(file, d, k, v, path, bytesMaps[path]); err != nil {
						return err
					}
				}
				if err := walk(v, child); err != nil {
					return err
				}
			}
		case yaml3.ScalarNode:
			return checkScalar(file, d, n, path, "value")
		}
		return nil
	}
	return walk(root, "")
}

// describe names a dotted path for a message: `stringData key "a"`.
func describe(path string) string {
	if path == "" {
		return "document"
	}
	if i := strings.LastIndexByte(path, '.'); i >= 0 && stringMaps[path[:i]] {
		return fmt.Sprintf("%s key %q", path[:i], path[i+1:])
	}
	return strconv.Quote(path)
}

// checkScalar rejects an explicitly tagged scalar that does not read as
// its tag (!!int hunter2), naming the tag but not the value.
func checkScalar(file string, d Document, n *yaml3.Node, path, what string) error {
	if n.Style&yaml3.TaggedStyle == 0 {
		return nil
	}
	var v any
	if err := n.Decode(&v); err != nil {
		tag := n.ShortTag()
		if !stdTagRE.MatchString(tag) {
			tag = "its tag"
		}
		return fmt.Errorf("%s:%d: %s of %s is not a valid %s", file, d.fileLine(n.Line), what, describe(path), tag)
	}
	return nil
}

// checkStringValue requires a string-map value to be a string (or null),
// and, for []byte maps, valid base64.
func checkStringValue(file string, d Document, k, v *yaml3.Node, path string, isBytes bool) error {
	where := fmt.Sprintf("%s:%d: %s key %q", file, d.fileLine(k.Line), path, k.Value)
	if v.Kind == yaml3.AliasNode && v.Alias != nil {
		v = v.Alias
	}
	if v.Kind != yaml3.ScalarNode {
		return fmt.Errorf("%s: value must be a string, not a list or mapping", where)
	}
	switch tag := v.ShortTag(); tag {
	case "!!null":
		return nil
	case "!!str", "!!binary":
	case "!!int", "!!float", "!!bool", "!!timestamp":
		if v.Style&yaml3.TaggedStyle != 0 {
			return fmt.Errorf("%s: value must be a string, not %s", where, tag)
		}
		return fmt.Errorf("%s: value must be a string, not %s (quote it)", where, tag)
	default:
		return fmt.Errorf("%s: value must be a string", where)
	}
	if isBytes && v.ShortTag() == "!!binary" {
		return fmt.Errorf("%s: write the value as a plain base64 string, without !!binary", where)
	}
	if isBytes && v.ShortTag() == "!!str" {
		if _, err := base64.StdEncoding.DecodeString(v.Value); err != nil {
			return fmt.Errorf("%s: value is not valid base64 (use stringData for plain text)", where)
		}
	}
	return nil
}

var (
	strictErrRE = regexp.MustCompile(`^(unknown field|duplicate field) ("(?:[^"\\]|\\.)*")$`)
	typeErrRE   = regexp.MustCompile(`^json: cannot unmarshal (\w+)\b.* into Go struct field \w+\.(\S+) of type (\S+)$`)
)

// jsonError rewrites an error of the JSON decode step, value-free and
// pointed at the line of the field it is about when that can be found.
func jsonError(file string, d Document, root *yaml3.Node, err error) error {
	var msgs []string
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	for _, e := range errs {
		msg, line := e.Error(), d.Line
		if m := strictErrRE.FindStringSubmatch(msg); m != nil {
			if p, uerr := strconv.Unquote(m[2]); uerr == nil {
				line = d.fileLine(keyLine(root, p))
				msg = m[1] + " " + strconv.Quote(p)
			}
		} else if m := typeErrRE.FindStringSubmatch(msg); m != nil {
			line = d.fileLine(keyLine(root, m[2]))
			msg = fmt.Sprintf("field %q: cannot use %s as %s", m[2], m[1], m[3])
		} else {
			var b64 base64.CorruptInputError
			if errors.As(e, &b64) {
				msg = "invalid base64 data"
			}
			msg = scrub(msg)
		}
		msgs = append(msgs, fmt.Sprintf("%s:%d: %s", file, line, msg))
	}
	return errors.New(strings.Join(msgs, "\n"))
}

// keyLine finds the line (within the document) of the key at a dotted
// path such as spec.template.data or spec.containers[0].name, or of the
// deepest part of it that exists; 0 if none does.
func keyLine(root *yaml3.Node, path string) int {
	n := root
	if n.Kind == yaml3.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	line := 0
	for _, part := range strings.Split(strings.ReplaceAll(path, "[", ".["), ".") {
		if part == "" {
			continue
		}
		if n.Kind == yaml3.AliasNode && n.Alias != nil {
			n = n.Alias
		}
		var next *yaml3.Node
		switch {
		case strings.HasPrefix(part, "[") && n.Kind == yaml3.SequenceNode:
			if i, err := strconv.Atoi(strings.Trim(part, "[]")); err == nil && i >= 0 && i < len(n.Content) {
				next = n.Content[i]
				line = next.Line
			}
		case n.Kind == yaml3.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == part {
					line, next = n.Content[i].Line, n.Content[i+1]
				}
			}
		}
		if next == nil {
			return line
		}
		n = next
	}
	return line
}

// rootKind names what a document is when it is not a mapping, or "".
func rootKind(root *yaml3.Node) string {
	n := root
	if n.Kind == yaml3.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	if n.Kind == yaml3.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	switch n.Kind {
	case yaml3.MappingNode:
		return ""
	case yaml3.SequenceNode:
		return "a list"
	default:
		return "a plain value"
	}
}

// topScalar is the value of a top-level scalar field, or "".
func topScalar(root *yaml3.Node, key string) string {
	n := root
	if n.Kind == yaml3.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	if n.Kind != yaml3.MappingNode {
		return ""
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k, v := n.Content[i], n.Content[i+1]; k.Value == key && v.Kind == yaml3.ScalarNode {
			return v.Value
		}
	}
	return ""
}
