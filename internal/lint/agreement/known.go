package agreement

import (
	"fmt"

	"sigs.k8s.io/yaml"
)

// KnownDifferencesFile lists the cases where emmdev and the API server
// cannot agree, relative to this package.
const KnownDifferencesFile = "testdata/known-differences.yaml"

// KnownDifference is a case whose verdicts differ for a stated reason: the
// API server decides it from cluster state (allocated ports, existing
// namespaces and objects, admission plugins, its flags) that an offline
// linter cannot see, or emmdev is stricter on purpose.
type KnownDifference struct {
	// Case is the case name (path under testdata/cases).
	Case string `json:"case"`
	// Emmdev is emmdev's verdict; the API server's is the case's `expect`.
	Emmdev Verdict `json:"emmdev"`
	// Why is "cluster-state" or "stricter".
	Why string `json:"why"`
	// Reason is one sentence for README.
	Reason string `json:"reason"`
}

// ParseKnownDifferences reads the list strictly: unknown keys, missing
// fields and duplicate cases are errors.
func ParseKnownDifferences(data []byte) ([]KnownDifference, error) {
	var list []KnownDifference
	if err := yaml.UnmarshalStrict(data, &list); err != nil {
		return nil, fmt.Errorf("%s: %w", KnownDifferencesFile, err)
	}
	seen := map[string]bool{}
	for i, k := range list {
		switch {
		case k.Case == "" || k.Reason == "":
			return nil, fmt.Errorf("%s: entry %d needs case and reason", KnownDifferencesFile, i+1)
		case k.Emmdev != Accept && k.Emmdev != Reject:
			return nil, fmt.Errorf("%s: %s: emmdev must be accept or reject", KnownDifferencesFile, k.Case)
		case k.Why != "cluster-state" && k.Why != "stricter":
			return nil, fmt.Errorf("%s: %s: why must be cluster-state or stricter", KnownDifferencesFile, k.Case)
		case seen[k.Case]:
			return nil, fmt.Errorf("%s: %s listed twice", KnownDifferencesFile, k.Case)
		}
		seen[k.Case] = true
	}
	return list, nil
}
