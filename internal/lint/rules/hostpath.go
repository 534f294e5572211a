package rules

import (
	"fmt"

	"github.com/emmdev/emmdev/internal/lint/loader"
)

// checkHostPath only has something to say when a kind-config.yaml applies:
// on a kind node, a hostPath outside every extraMounts containerPath lives in
// the node container and vanishes with the cluster.
func checkHostPath(env *Env, o *loader.Object, emit Emit) {
	if env.Index == nil || env.Index.KindMounts == nil {
		return
	}
	ps, ok := podSpecOf(o)
	if !ok {
		return
	}
	for name, v := range ps.volumes() {
		p, _ := dig(v.spec, "hostPath", "path").(string)
		if p == "" || env.Index.IsMountedByKind(p) {
			continue
		}
		emit(join(v.path, "hostPath", "path"), fmt.Sprintf("hostPath volume %q uses %s, which no extraMounts containerPath in %s provides: the data stays inside the kind node",
			name, p, env.Index.KindConfig))
	}
}

// HasHostPath reports whether o's pod spec has a hostPath volume, so the
// engine can say when those went unchecked for want of a kind config.
func HasHostPath(o *loader.Object) bool {
	ps, ok := podSpecOf(o)
	if !ok {
		return false
	}
	for _, v := range ps.volumes() {
		if p, _ := dig(v.spec, "hostPath", "path").(string); p != "" {
			return true
		}
	}
	return false
}
