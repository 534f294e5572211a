package rules

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/emmdev/emmdev/internal/lint/loader"
)

// Deployment defaults (apps/v1): one replica, 25% surge and unavailable.
const defaultRollingPercent = "25%"

// checkRollingUpdate flags Deployments whose rolling update takes serving
// pods down before replacements are ready. It resolves maxUnavailable and
// maxSurge the way the Deployment controller does
// (deploymentutil.ResolveFenceposts): a percentage of the replica count,
// rounded down for maxUnavailable and up for maxSurge, and when both come
// to 0 the controller takes 1 pod down anyway. So the default 25% is
// harmless at 1-3 replicas and not at 4. An HPA scaling the Deployment
// means the replica count may grow to its maxReplicas. Recreate is a
// deliberate choice (e.g. a ReadWriteOnce volume) and is left alone.
func checkRollingUpdate(env *Env, o *loader.Object, emit Emit) {
	if o.Kind != "Deployment" {
		return
	}
	if t, _ := dig(o.Obj, "spec", "strategy", "type").(string); t == "Recreate" {
		return
	}
	replicas := int64(1)
	spec, _ := dig(o.Obj, "spec").(map[string]any)
	if v, has := spec["replicas"]; has && v != nil {
		n, ok := asInt(v)
		if !ok {
			return // the schema check reports a non-integer
		}
		replicas = n
	}
	how := fmt.Sprintf("%d replica(s)", replicas)
	if env.Index != nil {
		if max, ok := env.Index.HPAMax(o.Namespace, o.Name); ok {
			if max > replicas {
				replicas = max
			}
			how = fmt.Sprintf("up to %d replicas (HorizontalPodAutoscaler maxReplicas)", replicas)
		}
	}
	if replicas <= 0 {
		return // nothing runs, nothing to take down
	}
	p := []string{"spec", "strategy", "rollingUpdate", "maxUnavailable"}
	mu := dig(o.Obj, p...)
	if mu == nil {
		mu = defaultRollingPercent
	}
	ms := dig(o.Obj, "spec", "strategy", "rollingUpdate", "maxSurge")
	if ms == nil {
		ms = defaultRollingPercent
	}
	unavailable, ok1 := scaled(mu, replicas, false)
	surge, ok2 := scaled(ms, replicas, true)
	if !ok1 || !ok2 {
		return // malformed values are the schema check's
	}
	// The same words whether 25% was written or defaulted: the API server
	// defaults it before admission, so the cluster's twin of this rule
	// (policies/emm.yaml) can only say "25%", and both must say the same.
	desc := fmt.Sprintf("maxUnavailable %v", mu)
	if fmt.Sprint(mu) == defaultRollingPercent {
		desc += " (the default when unset)"
	}
	switch {
	case unavailable == 0 && surge == 0:
		emit(p, fmt.Sprintf("with %s, maxUnavailable %v and maxSurge %v both resolve to 0, so the Deployment controller takes 1 pod down before its replacement is ready", how, mu, ms))
	case unavailable > 0:
		emit(p, fmt.Sprintf("%s at %s lets the rolling update take %d pod(s) down before replacements are ready", desc, how, unavailable))
	}
}

// scaled resolves an int-or-percent against total like the controller's
// intstr.GetScaledValueFromIntOrPercent.
func scaled(v any, total int64, roundUp bool) (int64, bool) {
	if n, ok := asInt(v); ok {
		return n, true
	}
	s, ok := v.(string)
	if !ok || !strings.HasSuffix(s, "%") {
		return 0, false
	}
	pct, err := strconv.Atoi(strings.TrimSuffix(s, "%"))
	if err != nil {
		return 0, false
	}
	f := float64(pct) * float64(total) / 100
	if roundUp {
		return int64(math.Ceil(f)), true
	}
	return int64(math.Floor(f)), true
}

func asInt(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case float64:
		if x == math.Trunc(x) {
			return int64(x), true
		}
	}
	return 0, false
}
