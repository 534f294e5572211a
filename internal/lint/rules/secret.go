package rules

import (
	"fmt"
	"slices"
	"strings"

	"github.com/emmdev/emmdev/internal/lint/loader"
)

// checkPlaintextSecret flags v1 Secrets carrying values. The message names
// the keys (so the user can find them) but never a value.
func checkPlaintextSecret(_ *Env, o *loader.Object, emit Emit) {
	if o.Kind != "Secret" || o.APIVersion != "v1" {
		return
	}
	for _, field := range []string{"data", "stringData"} {
		m, _ := o.Obj[field].(map[string]any)
		if len(m) == 0 {
			continue
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		emit([]string{field}, fmt.Sprintf("%d plaintext value(s) in %s (keys: %s); values not shown",
			len(keys), field, strings.Join(keys, ", ")))
	}
}
