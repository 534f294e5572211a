package rules

import (
	"fmt"
	"strings"

	"github.com/emmdev/emmdev/internal/lint/loader"
)

// checkResources reports, per container, a missing resources block, a
// missing requests/limits section, or a missing key, each at the deepest
// place the user has to edit.
func checkResources(env *Env, o *loader.Object, emit Emit) {
	ps, ok := podSpecOf(o)
	if !ok {
		return
	}
	required := env.Params.Strings("required")
	if required == nil {
		required = []string{"requests.cpu", "requests.memory", "limits.cpu", "limits.memory"}
	}
	// section -> keys, in policy order
	var sections []string
	keys := map[string][]string{}
	for _, r := range required {
		sec, key, _ := strings.Cut(r, ".")
		if _, seen := keys[sec]; !seen {
			sections = append(sections, sec)
		}
		keys[sec] = append(keys[sec], key)
	}
	for _, c := range ps.containers(env.Params.Bool("initContainers", true)) {
		res, _ := c.spec["resources"].(map[string]any)
		if o.Kind == "Pod" {
			res = withRequestsFromLimits(res)
		}
		if len(res) == 0 {
			emit(c.at("resources"), fmt.Sprintf("%s sets no resources (want %s)", c.label(), strings.Join(required, ", ")))
			continue
		}
		for _, sec := range sections {
			m, _ := res[sec].(map[string]any)
			if len(m) == 0 {
				emit(c.at("resources", sec), fmt.Sprintf("%s has no resources.%s (want %s)", c.label(), sec, strings.Join(keys[sec], ", ")))
				continue
			}
			for _, k := range keys[sec] {
				if v, ok := m[k]; !ok || v == nil || v == "" {
					emit(c.at("resources", sec, k), fmt.Sprintf("%s has no resources.%s.%s", c.label(), sec, k))
				}
			}
		}
	}
}

// withRequestsFromLimits does what the API server does to a Pod (not to a
// pod template): a resource with a limit and no request gets the limit as
// its request. Lint and the cluster's admission policy then agree on what
// the Pod asks for.
func withRequestsFromLimits(res map[string]any) map[string]any {
	limits, _ := res["limits"].(map[string]any)
	if len(limits) == 0 {
		return res
	}
	requests, _ := res["requests"].(map[string]any)
	merged := make(map[string]any, len(limits)+len(requests))
	for k, v := range limits {
		merged[k] = v
	}
	for k, v := range requests {
		if v != nil && v != "" {
			merged[k] = v
		}
	}
	out := make(map[string]any, len(res)+1)
	for k, v := range res {
		out[k] = v
	}
	out["requests"] = merged
	return out
}
