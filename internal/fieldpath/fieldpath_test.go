package fieldpath

import (
	"slices"
	"testing"
)

func TestTokenize(t *testing.T) {
	for in, want := range map[string][]Token{
		"":                                 nil,
		"<nil>":                            nil,
		"spec.containers[0].ports[1].name": {{S: "spec"}, {S: "containers"}, {S: "0", Bracket: true}, {S: "ports"}, {S: "1", Bracket: true}, {S: "name"}},
		"metadata.labels[app.kubernetes.io/name]": {{S: "metadata"}, {S: "labels"}, {S: "app.kubernetes.io/name", Bracket: true}},
		"data[a]b].x": {{S: "data"}, {S: "a]b", Bracket: true}, {S: "x"}},
		"a[0][1]":     {{S: "a"}, {S: "0", Bracket: true}, {S: "1", Bracket: true}},
		"a[unclosed":  {{S: "a"}, {S: "unclosed", Bracket: true}},
	} {
		if got := Tokenize(in); !slices.Equal(got, want) {
			t.Errorf("Tokenize(%q) = %v, want %v", in, got, want)
		}
	}
}

func FuzzTokenize(f *testing.F) {
	for _, s := range []string{"spec.a[0].b", "x[a.b]", "[", "]]", "a..b", "[[]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { _ = Tokenize(s) })
}
