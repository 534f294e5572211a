package celpolicy_test

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/emmdev/emmdev/internal/celpolicy"
	"github.com/emmdev/emmdev/internal/lint/rules"
)

// wantErrorRE is the expectation an invalid fixture carries on the line
// before the offending one (or N lines above it inside a block scalar):
// `# want: [line=+N] [col=N] part of the message`.
var wantErrorRE = regexp.MustCompile(`^\s*#\s*want:\s*(?:line=\+(\d+)\s+)?(?:col=(\d+)\s+)?(.+)$`)

func builtinIDs(t testing.TB) func(string) bool {
	t.Helper()
	reg, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	return func(id string) bool { _, ok := reg.Get(id); return ok }
}

// TestPolicyErrors loads every testdata/invalid/*.yaml and expects exactly
// the error its `# want:` comment announces, at the next line (and column,
// when given): bad CEL, a field no matched kind has, a cost over the
// budget, what kube-apiserver itself would refuse, and misuse of the file
// format. Nothing reaches a manifest.
func TestPolicyErrors(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join("testdata", "invalid", "*.yaml"))
	if err != nil || len(files) < 20 {
		t.Fatalf("fixtures: %v %v", files, err)
	}
	isBuiltin := builtinIDs(t)
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			wantLine, wantCol, wantMsg := 0, 0, ""
			for i, line := range strings.Split(string(data), "\n") {
				if m := wantErrorRE.FindStringSubmatch(line); m != nil {
					below := 1
					if m[1] != "" {
						below, _ = strconv.Atoi(m[1])
					}
					wantLine, wantMsg = i+1+below, m[3]
					wantCol, _ = strconv.Atoi(m[2])
				}
			}
			if wantLine == 0 {
				t.Fatal("fixture has no # want: comment")
			}
			_, err = celpolicy.Load([]celpolicy.Source{{Name: file, Data: data}}, celpolicy.Options{IsBuiltin: isBuiltin})
			if err == nil {
				t.Fatalf("loaded without error, want %q at line %d", wantMsg, wantLine)
			}
			var pe *celpolicy.Error
			var pes celpolicy.Errors
			switch {
			case errors.As(err, &pes):
				if len(pes) != 1 {
					t.Fatalf("%d errors, want 1:\n%v", len(pes), err)
				}
				pe = pes[0]
			case errors.As(err, &pe):
			default:
				t.Fatalf("error %T without a position: %v", err, err)
			}
			if pe.File != file || pe.Line != wantLine || (wantCol != 0 && pe.Col != wantCol) || !strings.Contains(pe.Msg, wantMsg) {
				t.Errorf("got  %v\nwant %s:%d:%d: ...%s...", err, file, wantLine, wantCol, wantMsg)
			}
		})
	}
}

// TestValidPolicies loads the example policies and the valid fixtures
// (rules over several kinds that read a field only one kind has, guarded).
func TestValidPolicies(t *testing.T) {
	t.Parallel()
	files, _ := filepath.Glob(filepath.Join("testdata", "valid", "*.yaml"))
	examples, _ := filepath.Glob(filepath.Join("..", "..", "policies", "examples", "*.yaml"))
	files = append(append(files, examples...), filepath.Join("testdata", "proof-policies", "proof-edges.yaml"))
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		set, err := celpolicy.Load([]celpolicy.Source{{Name: file, Data: data}}, celpolicy.Options{IsBuiltin: builtinIDs(t)})
		if err != nil {
			t.Errorf("%s: %v", file, err)
			continue
		}
		if len(set.Rules) == 0 {
			t.Errorf("%s: no rules", file)
		}
	}
}
