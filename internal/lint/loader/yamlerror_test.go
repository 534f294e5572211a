package loader

import (
	"errors"
	"testing"
)

// A YAML syntax error is reported on the line a user has to fix, whether
// yaml.v3's parser (which prints a 0-based line, or none on the first
// line) or its scanner (1-based) found it.
func TestYAMLErrorLines(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, doc string
		line      int
		msg       string
	}{
		{"unclosed flow list", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  list: [a, b\n  other: x\n", 6, "did not find expected ',' or ']'"},
		{"unclosed flow map", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a\ndata: {}\n", 3, "did not find expected ',' or '}'"},
		{"key indented wrong", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n labels: x\n", 5, "did not find expected key"},
		{"flow list open at the end", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n# c\nkind: [\n", 6, "did not find expected node content"},
		{"flow list open at the end, no final newline", "kind: ConfigMap\nitems: [", 2, "did not find expected node content"},
		{"first line, parser", "[a\n", 1, "did not find expected ',' or ']'"},
		{"first line, scanner", "a: b: c\n", 1, "mapping values are not allowed in this context"},
		{"scanner, later line", "apiVersion: v1\n  kind: x\n", 2, "mapping values are not allowed in this context"},
		{"unterminated quote", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: \"a\n", 4, "found unexpected end of stream"},
		{"carriage returns only", "apiVersion: v1\rkind: ConfigMap\rmetadata:\r  name: a\rdata:\r  list: [a, b\r  other: x\r", 6, "did not find expected ',' or ']'"},
		{"first line, tag scanner", "!<>\n", 1, "did not find expected tag URI"},
		{"first line, tag URI escape", "!foo%zz bar\n", 1, "did not find URI escaped octet"},
		{"key indented wrong, nested", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  labels:\n    x: y\n    z: w\n   bad: indent\n", 8, "did not find expected key"},
		{"mapping after a list item", "a:\n  - b\n  c: 1\n", 3, "did not find expected '-' indicator"},
		{"tab indentation", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: a\n", 4, "found character that cannot start any token"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("f.yaml", []byte(tc.doc), Options{})
			var le *Error
			if !errors.As(err, &le) {
				t.Fatalf("Parse error %v, want a located *Error", err)
			}
			if le.Line != tc.line || le.Msg != tc.msg {
				t.Errorf("got line %d %q, want line %d %q", le.Line, le.Msg, tc.line, tc.msg)
			}
		})
	}
}
