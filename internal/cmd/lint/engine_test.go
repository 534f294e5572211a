package lint_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/emmdev/emmdev/internal/app"
	"github.com/emmdev/emmdev/internal/cmdutil"
)

// --schema-engine kubeconform runs kubeconform's own validator on the
// embedded schemas (exported to EMMDEV_CACHE): the EMM manifests stay clean
// and a schema error is reported at its line, like the default engine.
func TestKubeconformSchemaEngine(t *testing.T) {
	t.Parallel()
	cache := t.TempDir()
	lintWith := func(engine string, paths ...string) result {
		streams, _, out, errOut := cmdutil.TestStreams()
		streams.Getenv = func(k string) string {
			if k == "EMMDEV_CACHE" {
				return cache
			}
			return ""
		}
		args := append([]string{"lint", "--schema-engine", engine}, paths...)
		code := app.Run(context.Background(), args, cmdutil.NewFactory(streams, "test"))
		return result{code, out.String(), errOut.String()}
	}

	if r := lintWith("kubeconform", "../../../manifests"); r.code != 0 {
		t.Fatalf("manifests: exit %d\n%s%s", r.code, r.out, r.errOut)
	}
	bad := "../../schema/testdata/invalid/replicas-wrong-type.yaml"
	kc, native := lintWith("kubeconform", bad), lintWith("emmdev", bad)
	for name, r := range map[string]result{"kubeconform": kc, "emmdev": native} {
		if r.code != 1 || !strings.Contains(r.out, "replicas-wrong-type.yaml:5:3: error [schema]") {
			t.Errorf("%s engine: exit %d, want 1 with a schema error at 5:3:\n%s%s", name, r.code, r.out, r.errOut)
		}
	}
	if entries, err := os.ReadDir(cache + "/schemas"); err != nil || len(entries) != 1 {
		t.Errorf("schema cache: %v %v, want one exported set", entries, err)
	}
	if r := lintWith("bogus", bad); r.code != 2 || !strings.Contains(r.errOut, "--schema-engine") {
		t.Errorf("bad engine: exit %d, %s", r.code, r.errOut)
	}
}
