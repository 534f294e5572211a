package deploy

import "testing"

// BenchmarkLoadDir renders the real manifests/ through kustomize and sorts
// them: the fixed cost every `emmdev up` pays before talking to a cluster.
func BenchmarkLoadDir(b *testing.B) {
	for b.Loop() {
		if _, err := LoadDir("../../manifests"); err != nil {
			b.Fatal(err)
		}
	}
}
