package loader

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	utiljson "k8s.io/apimachinery/pkg/util/json"
	sigsyaml "sigs.k8s.io/yaml"
)

// kubectlReads is the oracle: what kubectl sends to the API server for one
// YAML document. kubectl converts the document with sigs.k8s.io/yaml
// (go-yaml v2, YAML 1.1) and decodes the JSON into an Unstructured object,
// whose numbers are int64 when integral and float64 otherwise.
func kubectlReads(doc string) (map[string]any, error) {
	j, err := sigsyaml.YAMLToJSON([]byte(doc))
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := utiljson.Unmarshal(j, &m); err != nil {
		return nil, err
	}
	return m, nil
}

// scalarSpellings are the plain scalars whose reading differs between YAML
// 1.1 and 1.2 or between parsers, plus their neighbours.
func scalarSpellings() []string {
	words := []string{
		"y", "Y", "yes", "Yes", "YES", "yES", "n", "N", "no", "No", "NO", "nO",
		"true", "True", "TRUE", "tRUE", "false", "False", "FALSE",
		"on", "On", "ON", "oN", "off", "Off", "OFF", "oFF",
		"~", "null", "Null", "NULL", "nULL", "nil", "None",
		".nan", ".NaN", ".NAN", "nan", "NaN", ".inf", ".Inf", ".INF", "+.inf", "-.Inf", "inf", "Infinity", ".iNF",
		"<<", "=", "-", "+", ".", "..", "...x", "x", "abc", "0a", "0.", "-.", "+.",
		"2001-12-14", "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10", "2002-1-2", "2001-13-14", "2001-12-14T21:59:43Z",
		"1:30", "12:30:00", "190:20:30", "1,000", "0x1p-2", "1.2.3", "1e", "e3", "v1", "1.0.0", "0.1.0",
	}
	bodies := []string{
		"0", "00", "07", "08", "010", "0777", "0x1F", "0X1f", "0xFFFFFFFFFFFFFFFF", "0x", "0x_1F", "0o17", "0O17", "0o8",
		"0b101", "0B101", "0b", "0b2", "0b1_0", "1_000", "1__0", "1_", "1e3", "1E3", "1e+3", "1e-3", "1.5e-3",
		".5", "5.", "1.10", "3.0", "0.0", "1e400", "1e21", "1e20", "123456789012345678901234567890",
		"9223372036854775807", "9223372036854775808", "18446744073709551615", "18446744073709551616",
		"1_2.3_4", "0.1", "2.5", "100", "8080", "1.5", "1e-7", "0b1111111111111111111111111111111111111111111111111111111111111111",
		"0b11111111111111111111111111111111111111111111111111111111111111111",
	}
	var out []string
	out = append(out, words...)
	for _, sign := range []string{"", "+", "-"} {
		for _, b := range bodies {
			out = append(out, sign+b)
		}
	}
	return out
}

// taggedAndQuoted are scalars whose explicit tag or quoting decides.
var taggedAndQuoted = []string{
	`"yes"`, `'no'`, `"123"`, `"~"`, `!!str 123`, `!!str yes`, `!!int 0x10`, `!!int "12"`, `!!int abc`, `!!int 1.5`,
	`!!float 1`, `!!float "2"`, `!!float 18446744073709551615`, `!!float abc`, `!!bool yes`, `!!bool "on"`, `!!bool 1`,
	`!!null ~`, `!!null ""`, `!!null x`, `!!binary aGVsbG8=`, `!!binary "!!!"`, `!!timestamp 2001-01-01`,
	`!!timestamp 5`, `!!timestamp abc`, `!foo bar`, `!foo 123`, `!!merge x`, `!!map x`, `!<tag:yaml.org,2002:int> 7`,
}

// TestYAML11 checks the loader reads every scalar, as a value, in a list and
// as a mapping key, exactly as kubectl does: same value, same type, and an
// error exactly when kubectl fails.
func TestYAML11(t *testing.T) {
	t.Parallel()
	scalars := append(scalarSpellings(), taggedAndQuoted...)
	checked := 0
	for _, s := range scalars {
		for _, doc := range scalarDocs(s) {
			checked++
			compareWithKubectl(t, doc)
		}
	}
	if checked < 300 {
		t.Fatalf("only %d documents checked", checked)
	}
}

func scalarDocs(s string) []string {
	const head = "apiVersion: v1\nkind: X\n"
	return []string{
		head + "v: " + s + "\n",
		head + "l: [" + s + ", x]\n",
		head + "l:\n- " + s + "\n",
		head + "m:\n  " + s + ": v\n",
		head + "m: {" + s + ": v}\n",
	}
}

func compareWithKubectl(t *testing.T, doc string) {
	t.Helper()
	want, kerr := kubectlReads(doc)
	objs, lerr := Parse("x.yaml", []byte(doc), Options{})
	switch {
	case kerr != nil && lerr != nil:
		return
	case kerr != nil:
		t.Errorf("kubectl fails (%v), the loader accepts:\n%s", kerr, doc)
		return
	case lerr != nil:
		t.Errorf("the loader fails (%v), kubectl reads %v:\n%s", lerr, want, doc)
		return
	case len(objs) != 1:
		t.Errorf("loader returned %d objects:\n%s", len(objs), doc)
		return
	}
	if got := objs[0].Obj; !reflect.DeepEqual(got, want) {
		t.Errorf("loader reads %s, kubectl %s:\n%s", show(got), show(want), doc)
	}
}

// show prints a value with the Go types of its leaves.
func show(v any) string {
	switch x := v.(type) {
	case map[string]any:
		parts := make([]string, 0, len(x))
		for k, e := range x {
			parts = append(parts, fmt.Sprintf("%q: %s", k, show(e)))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = show(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	b, _ := json.Marshal(v)
	return fmt.Sprintf("%s(%T)", b, v)
}

// TestYAML11Merge pins go-yaml v2's merge order, which kubectl has: a <<
// overrides the keys written before it and is overridden by those after.
func TestYAML11Merge(t *testing.T) {
	t.Parallel()
	for _, doc := range []string{
		"apiVersion: v1\nkind: X\nbase: &b {a: 1, b: 2}\nm:\n  a: 0\n  <<: *b\n  b: 3\n",
		"apiVersion: v1\nkind: X\nx: &x {a: 1}\ny: &y {a: 2, c: 3}\nm:\n  <<: [*x, *y]\n",
		"apiVersion: v1\nkind: X\nm:\n  <<: {a: 1, <<: {a: 2, b: 2}}\n",
		"apiVersion: v1\nkind: X\nm:\n  \"<<\": {a: 1}\n",
		"apiVersion: v1\nkind: X\nm:\n  !!merge <<: {a: 1}\n",
		"apiVersion: v1\nkind: X\ns: &s [1]\nm:\n  <<: *s\n",
		"apiVersion: v1\nkind: X\nm:\n  <<: [{a: 1}, 2]\n",
	} {
		compareWithKubectl(t, doc)
	}
}

// TestStricterThanKubectl: a key written twice is an error here, where
// kubectl keeps one of the values without a word (the last one, or for 1
// and "1", whichever its map iteration meets last).
func TestStricterThanKubectl(t *testing.T) {
	t.Parallel()
	for _, doc := range []string{
		"apiVersion: v1\nkind: X\nm:\n  a: 1\n  a: 2\n",
		"apiVersion: v1\nkind: X\nm:\n  1: a\n  \"1\": b\n",
		"apiVersion: v1\nkind: X\nm:\n  yes: a\n  true: b\n",
	} {
		if _, err := kubectlReads(doc); err != nil {
			t.Errorf("kubectl fails on %q: %v", doc, err)
		}
		if _, err := Parse("d.yaml", []byte(doc), Options{}); err == nil || !strings.Contains(err.Error(), "d.yaml:5:3: duplicate key") {
			t.Errorf("%q: err = %v, want a duplicate key error at 5:3", doc, err)
		}
	}
}

// TestCoercionNotes: a plain scalar kubectl reads as a non-string is
// remembered with its place and spelling; quoted and tagged scalars are not.
func TestCoercionNotes(t *testing.T) {
	t.Parallel()
	doc := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  labels:\n    country: NO\n    quoted: \"NO\"\n    version:   1.10\ndata:\n  flags: [on, \"off\"]\n  tagged: !!bool yes\n"
	objs, err := Parse("c.yaml", []byte(doc), Options{})
	if err != nil {
		t.Fatal(err)
	}
	o := objs[0]
	tests := []struct {
		path      []string
		want      string
		line, col int
	}{
		{[]string{"metadata", "labels", "country"}, `"NO" is read as boolean false; quote it`, 5, 14},
		{[]string{"metadata", "labels", "version"}, `"1.10" is read as number 1.1; quote it`, 7, 16},
		{[]string{"data", "flags", "0"}, `"on" is read as boolean true; quote it`, 9, 11},
	}
	for _, tt := range tests {
		c, ok := o.Coerced(tt.path...)
		if !ok || c.Message() != tt.want || c.Line != tt.line || c.Col != tt.col {
			t.Errorf("Coerced(%v) = %+v %v (%q), want %q at %d:%d", tt.path, c, ok, c.Message(), tt.want, tt.line, tt.col)
		}
	}
	for _, p := range [][]string{{"metadata", "labels", "quoted"}, {"data", "flags", "1"}, {"data", "tagged"}, {"metadata"}, {"nope"}, nil} {
		if c, ok := o.Coerced(p...); ok {
			t.Errorf("Coerced(%v) = %+v, want no note", p, c)
		}
	}
}

// FuzzYAML11 compares the loader with kubectl on arbitrary one-line
// scalars, as values, list items and keys. Only the scalar varies, so a
// difference is a difference in reading scalars, not in YAML syntax.
func FuzzYAML11(f *testing.F) {
	for _, s := range append(scalarSpellings(), taggedAndQuoted...) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if strings.ContainsAny(s, "\n\r#:,[]{}&*!|>'\"%@`\t") || strings.TrimSpace(s) != s {
			// Syntax, not a scalar: comments, flow indicators, anchors,
			// tags and quotes are exercised by the seeds above.
			return
		}
		for _, doc := range scalarDocs(s) {
			compareWithKubectl(t, doc)
		}
	})
}
