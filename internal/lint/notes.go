package lint

import (
	"fmt"
	"strings"

	"github.com/emmdev/emmdev/internal/lint/loader"
	"github.com/emmdev/emmdev/internal/lint/rules"
)

// notes says, once per run, which enabled checks could not run: silence
// would read as "checked and fine".
func notes(cfg Config, objs []*loader.Object) []string {
	var out []string
	if rc := cfg.Policy.Rules["hostpath-not-mounted"]; rc.Enabled && cfg.KindConfig == "" {
		n := 0
		for _, o := range objs {
			if rules.HasHostPath(o) {
				n++
			}
		}
		if n > 0 {
			out = append(out, fmt.Sprintf("hostpath-not-mounted: no %s found (searched from the linted path up to the git root), so the hostPath volumes of %d object(s) were not checked; pass --kind-config FILE", KindConfigName, n))
		}
	}
	policies := 0
	for _, o := range objs {
		if isEmmdevPolicy(o) {
			policies++
		}
	}
	if policies > 0 {
		out = append(out, fmt.Sprintf("%d emmdev policy document(s) (emmdev.dev/*: CELPolicy, LintPolicy) are not Kubernetes objects and were not linted; emmdev checks them when it loads them from policies/ or --policy", policies))
	}
	return out
}

// isEmmdevPolicy reports emmdev's own policy documents, which live next to
// the manifests (policies/) but never go to the API server.
func isEmmdevPolicy(o *loader.Object) bool {
	return strings.HasPrefix(o.APIVersion, "emmdev.dev/")
}
