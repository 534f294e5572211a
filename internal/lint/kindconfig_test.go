package lint_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/emmdev/emmdev/internal/lint"
)

// A broken kind-config.yaml is reported at the line to fix, in the same
// words as a broken manifest.
func TestKindMountsSyntaxErrorLine(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "kind-config.yaml")
	doc := "kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n  - role: control-plane\n    extraMounts: [{hostPath: ./vault, containerPath: /vault}\n  - role: worker\n"
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := lint.ReadKindMounts(path)
	// The flow list opens on line 5; yaml.v3 stops at the next item.
	if want := path + ":5: did not find expected ',' or ']'"; err == nil || err.Error() != want {
		t.Errorf("err = %v, want %s", err, want)
	}
}
