package rules

import (
	"fmt"
	"strconv"

	"github.com/emmdev/emmdev/internal/lint/loader"
)

// checkSecretRefs flags non-optional references to Secrets that nothing in
// the tree creates.
func checkSecretRefs(env *Env, o *loader.Object, emit Emit) {
	if env.Index == nil {
		return
	}
	ps, ok := podSpecOf(o)
	if !ok {
		return
	}
	check := func(p []string, ref map[string]any, nameKey, what string) {
		name, _ := ref[nameKey].(string)
		if name == "" || ref["optional"] == true || env.Index.HasSecret(o.Namespace, name) {
			return
		}
		emit(join(p, nameKey), fmt.Sprintf("%s refers to Secret %q, which no Secret, SealedSecret or ExternalSecret in the tree defines", what, name))
	}
	for _, c := range ps.containers(true) {
		env, _ := c.spec["env"].([]any)
		for i, e := range env {
			if ref, ok := dig(e, "valueFrom", "secretKeyRef").(map[string]any); ok {
				check(c.at("env", strconv.Itoa(i), "valueFrom", "secretKeyRef"), ref, "name", c.label()+" secretKeyRef")
			}
		}
		envFrom, _ := c.spec["envFrom"].([]any)
		for i, e := range envFrom {
			if ref, ok := dig(e, "secretRef").(map[string]any); ok {
				check(c.at("envFrom", strconv.Itoa(i), "secretRef"), ref, "name", c.label()+" envFrom secretRef")
			}
		}
	}
	for name, v := range ps.volumes() {
		if ref, ok := v.spec["secret"].(map[string]any); ok {
			check(join(v.path, "secret"), ref, "secretName", fmt.Sprintf("volume %q", name))
		}
		sources, _ := dig(v.spec, "projected", "sources").([]any)
		for i, s := range sources {
			if ref, ok := dig(s, "secret").(map[string]any); ok {
				check(join(v.path, "projected", "sources", strconv.Itoa(i), "secret"), ref, "name", fmt.Sprintf("projected volume %q", name))
			}
		}
	}
}
