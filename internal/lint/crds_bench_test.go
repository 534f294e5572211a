package lint_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkLintCustomResources: one CRD with defaults, a list map and CEL
// rules, and 500 of its custom resources in 10 files, all valid: the CRD is
// validated and compiled once per run, the resources validated in parallel.
func BenchmarkLintCustomResources(b *testing.B) {
	dir := b.TempDir()
	crd, err := os.ReadFile("../crdvalidation/testdata/gadget-crd.yaml")
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "crd.yaml"), crd, 0o644); err != nil {
		b.Fatal(err)
	}
	for f := range 10 {
		var sb strings.Builder
		for i := range 50 {
			fmt.Fprintf(&sb, `---
apiVersion: lint.emmdev.dev/v1
kind: Gadget
metadata:
  name: gadget-%d-%d
  namespace: agentic-ai
  labels: {app.kubernetes.io/name: gadget}
spec:
  size: %d
  replicas: 2
  maxReplicas: 4
  port: http
  ports:
    - {name: http, port: 8080}
    - {name: metrics, port: 9090}
  schedule: "*/5 * * * *"
`, f, i, i+1)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("gadgets-%02d.yaml", f)), []byte(sb.String()), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	benchLint(b, dir, 501)
}
