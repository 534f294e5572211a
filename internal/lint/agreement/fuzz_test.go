package agreement_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emmdev/emmdev/internal/lint/agreement"
)

// FuzzParsePath: any text an API server might put in a cause's field
// either parses into non-empty segments, keeping the text, or is an error;
// never a panic.
func FuzzParsePath(f *testing.F) {
	for _, s := range []string{"spec", "spec.containers[0].image", "metadata.annotations[a.b/c]", "data[log level]",
		"a[", "a]", "[", "]", "..", "a..b", "a[]", "a[x]]]", "[0][1]", "<nil>", "spec.validation.openAPIV3Schema.properties[spec].type"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := agreement.ParsePath(s)
		if err != nil {
			return
		}
		if len(p.Segs) == 0 || p.Raw != s {
			t.Fatalf("ParsePath(%q) = %+v", s, p)
		}
		_ = p.String()
	})
}

// FuzzParseCase: any header either parses into a complete case or is an
// error naming the file; never a panic. Seeds: every corpus file.
func FuzzParseCase(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "cases", "*", "*.yaml"))
	for _, file := range files[:min(len(files), 40)] {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("# case: x\n# rule: r\n# expect: reject\n# path: a[\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := agreement.ParseCase("fuzz.yaml", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.yaml") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		if c.Title == "" || (c.Expect != agreement.Accept && c.Expect != agreement.Reject) {
			t.Fatalf("incomplete case accepted: %+v", c)
		}
	})
}
