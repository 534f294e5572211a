package policy

import (
	"strings"
	"testing"
)

// TestParametersValidatedAtLoad: a typo in a parameter fails when the
// policy loads, at the line of the bad item, instead of silently switching
// a check off.
func TestParametersValidatedAtLoad(t *testing.T) {
	t.Parallel()
	head := "apiVersion: emmdev.dev/v1alpha1\nkind: LintPolicy\n"
	for _, tc := range []struct{ name, doc, want string }{
		{"bad glob", head + "rules:\n  stateful-without-pvc:\n    params:\n      images:\n        - redis\n        - 'postgres['\n",
			`p.yaml:8:11: rule stateful-without-pvc parameter images: "postgres[" is not a valid glob pattern`},
		{"unknown resource", head + "rules:\n  resources:\n    params:\n      required: [requests.cpu, bogus]\n",
			`p.yaml:6:32: rule resources parameter required: "bogus" is not requests.<resource> or limits.<resource>`},
		{"unknown resource name", head + "rules:\n  resources:\n    params:\n      required: [limits.gpu]\n",
			`p.yaml:6:18: rule resources parameter required: "limits.gpu" names an unknown resource`},
		{"parse cannot be switched off", head + "rules:\n  parse:\n    enabled: false\n", "p.yaml:4:3: rule parse is always on"},
		{"parse cannot be demoted", head + "rules:\n  parse:\n    severity: warning\n", "p.yaml:4:3: rule parse is always on"},
		{"bad exclude", head + "exclude:\n  - charts/**\n  - 'a/[b'\n", `p.yaml:5:5: exclude pattern "a/[b"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("p.yaml", []byte(tc.doc), registry(t))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}
	// Valid names of every form load.
	p, err := Parse("p.yaml", []byte(head+"exclude: [testdata, 'deploy/**/values*.yaml']\nrules:\n  resources:\n    params:\n      required: [requests.cpu, limits.memory, limits.ephemeral-storage, limits.hugepages-2Mi, limits.nvidia.com/gpu]\n"), registry(t))
	if err != nil || len(p.Exclude) != 2 {
		t.Fatalf("valid policy: %v %+v", err, p)
	}
}
