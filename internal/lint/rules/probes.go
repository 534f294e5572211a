package rules

import "github.com/emmdev/emmdev/internal/lint/loader"

// probeCheck builds the readiness/liveness/startup checks, which differ only
// in the field they require.
func probeCheck(field string) CheckFunc {
	return func(_ *Env, o *loader.Object, emit Emit) {
		if !longRunning(o.Kind) {
			return
		}
		ps, ok := podSpecOf(o)
		if !ok {
			return
		}
		for _, c := range ps.containers(false) {
			if c.spec[field] == nil {
				emit(c.at(field), c.label()+" has no "+field)
			}
		}
	}
}
