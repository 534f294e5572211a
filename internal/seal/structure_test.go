package seal

import (
	"os"
	"strings"
	"testing"
)

// TestVerifyStructure runs the keyless checks over fixtures; each invalid
// fixture must produce a problem mentioning the given text.
func TestVerifyStructure(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file string
		want string // "" = valid
	}{
		{"testdata/verify/valid-strict.yaml", ""},
		{"testdata/verify/valid-cluster-wide-no-namespace.yaml", ""},
		{"testdata/verify/invalid-renamed.yaml", "spec.template.metadata.name"},
		{"testdata/verify/invalid-moved.yaml", "spec.template.metadata.namespace"},
		{"testdata/verify/invalid-scope-disagrees.yaml", "scope annotations disagree"},
		{"testdata/verify/invalid-truncated.yaml", "encryptedData.TOKEN: not sealed-secrets ciphertext"},
		{"testdata/verify/invalid-not-base64.yaml", "encryptedData.TOKEN: not valid base64"},
		{"testdata/verify/invalid-empty.yaml", "spec.encryptedData is empty"},
		{"testdata/verify/invalid-no-namespace.yaml", "metadata.namespace is empty"},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(tc.file)
			if err != nil {
				t.Fatal(err)
			}
			docs, err := DecodeSealedSecrets(tc.file, data)
			if err != nil {
				t.Fatal(err)
			}
			r := Verify(docs[0].Object, nil)
			if tc.want == "" {
				if !r.OK() {
					t.Errorf("valid fixture rejected: %v", r.Problems)
				}
				return
			}
			if !strings.Contains(strings.Join(r.Problems, "\n"), tc.want) {
				t.Errorf("problems %q lack %q", r.Problems, tc.want)
			}
		})
	}
}
