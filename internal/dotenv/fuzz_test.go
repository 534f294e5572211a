package dotenv

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// quote renders a value so that ParseBytes reads it back exactly; the fuzz
// target uses it to check that whatever parses also round-trips.
func quote(v string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\t", `\t`, "$", `\$`)
	return `"` + r.Replace(v) + `"`
}

func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/hostile/*.env")
	for _, name := range files {
		if data, err := os.ReadFile(name); err == nil && len(data) < 4096 {
			f.Add(data)
		}
	}
	f.Add([]byte("A=1\nexport B='x'\nC=\"m\nl\" # c\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, err := ParseBytes("f.env", data)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error is not a *ParseError: %v", err)
			}
			if pe.Line < 1 || pe.Line > strings.Count(string(data), "\n")+1 {
				t.Fatalf("line %d out of range", pe.Line)
			}
			return
		}
		// Round trip: re-encode with double quotes and parse again.
		var b strings.Builder
		for _, e := range entries {
			b.WriteString(e.Key + "=" + quote(e.Value) + "\n")
		}
		again, err := ParseBytes("again.env", []byte(b.String()))
		if err != nil {
			t.Fatalf("re-encoded entries do not parse: %v", err)
		}
		if len(again) != len(entries) {
			t.Fatalf("round trip changed entry count: %d -> %d", len(entries), len(again))
		}
		for i := range entries {
			if again[i].Key != entries[i].Key || again[i].Value != entries[i].Value {
				t.Fatalf("round trip changed entry %d", i)
			}
		}
	})
}
