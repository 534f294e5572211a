package schema

import (
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"

	jsonschema "github.com/santhosh-tekuri/jsonschema/v6"
)

const initTraceChild = "EMMDEV_JSONSCHEMA_INIT_CHILD"

// TestJSONSchemaInitIsCheap: every emmdev command links the JSON-schema
// library, so its package init must not compile the drafts' meta-schemas
// (third_party/jsonschema/EMMDEV.md: ~14 ms of every start-up upstream).
// Measured by what the init allocates, which does not depend on the
// machine: ~10 KB patched, 1.7 MB upstream. Compiling still checks a
// schema against its meta-schema.
func TestJSONSchemaInitIsCheap(t *testing.T) {
	if os.Getenv(initTraceChild) != "" {
		return // the child only runs the package inits
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestJSONSchemaInitIsCheap$")
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1", initTraceChild+"=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	re := regexp.MustCompile(`(?m)^init github\.com/santhosh-tekuri/jsonschema/v6 @.*, ([0-9]+) bytes, [0-9]+ allocs$`)
	m := re.FindSubmatch(out)
	if m == nil {
		t.Fatalf("no init trace of the jsonschema package in:\n%s", firstLines(string(out), 20))
	}
	if n, _ := strconv.Atoi(string(m[1])); n > 200_000 {
		t.Errorf("the jsonschema package's init allocates %d bytes: it compiles the meta-schemas again (the replace of third_party/jsonschema is gone or lost its patch)", n)
	}

	c := jsonschema.NewCompiler()
	if err := c.AddResource("bad.json", map[string]any{"type": 5.0}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Compile("bad.json"); err == nil || !strings.Contains(err.Error(), "type") {
		t.Errorf("compiling a schema that breaks its meta-schema: %v", err)
	}
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	return strings.Join(lines[:min(n, len(lines))], "\n")
}
