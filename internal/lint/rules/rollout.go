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
		emit(p, "rolling update maxUnavailable is not set and defaults to 25%: pods can be taken down before replacements are ready")
		return
	}
	if isZero(v) {
		return
	}
	emit(p, fmt.Sprintf("rolling update maxUnavailable is %v: pods can be taken down before replacements are ready", v))
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
