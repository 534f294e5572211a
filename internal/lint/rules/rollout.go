package rules

import (
	"fmt"
	"strings"

	"github.com/emmdev/emmdev/internal/lint/loader"
)

// checkRollingUpdate flags Deployments whose rolling update may remove a
// serving pod before its replacement is ready. An unset maxUnavailable is
// 25%, not 0. Recreate is a deliberate choice (e.g. a ReadWriteOnce volume)
// and is not a rolling update, so it is left alone.
func checkRollingUpdate(_ *Env, o *loader.Object, emit Emit) {
	if o.Kind != "Deployment" {
		return
	}
	if t, _ := dig(o.Obj, "spec", "strategy", "type").(string); t == "Recreate" {
		return
	}
	p := []string{"spec", "strategy", "rollingUpdate", "maxUnavailable"}
	v := dig(o.Obj, p...)
	if v == nil {
		v = defaultMaxUnavailable
	}
	if isZero(v) {
		return
	}
	emit(p, rollingUpdateMessage(v))
}

// defaultMaxUnavailable is what the API server sets when maxUnavailable is
// left out.
const defaultMaxUnavailable = "25%"

// rollingUpdateMessage words the finding the same way for an unset and an
// explicit 25%: the cluster only ever sees the defaulted value, and its
// admission policy (policies/emm.yaml) must say exactly what lint says.
func rollingUpdateMessage(v any) string {
	suffix := ""
	if fmt.Sprint(v) == defaultMaxUnavailable {
		suffix = " (the default when unset)"
	}
	return fmt.Sprintf("rolling update maxUnavailable is %v%s: pods can be taken down before replacements are ready", v, suffix)
}

func isZero(v any) bool {
	switch x := v.(type) {
	case int64:
		return x == 0
	case float64:
		return x == 0
	case string:
		s := strings.TrimSpace(x)
		return s == "0" || s == "0%"
	}
	return false
}
