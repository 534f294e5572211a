package rules

import (
	"fmt"
	"path"
	"strings"

	"github.com/emmdev/emmdev/internal/lint/loader"
)

// statefulKinds run a stateful image as a long-lived service. Jobs are left
// out on purpose: a postgres image in a Job is a client (pg_dump, migrate).
func statefulKind(kind string) bool { return longRunning(kind) }

// matchImage matches the repository against glob patterns: a pattern with a
// slash is matched against the repository path (registry stripped), one
// without against its last component, so "redis" matches redis:7 and
// docker.io/bitnami/redis but not redis_exporter.
func matchImage(patterns []string, image string) bool {
	repo, _, _ := splitImage(image)
	parts := strings.Split(repo, "/")
	if len(parts) > 1 && (strings.ContainsAny(parts[0], ".:") || parts[0] == "localhost") {
		parts = parts[1:] // registry host
	}
	full, last := strings.Join(parts, "/"), parts[len(parts)-1]
	for _, p := range patterns {
		target := last
		if strings.Contains(p, "/") {
			target = full
		}
		if ok, _ := path.Match(p, target); ok {
			return true
		}
	}
	return false
}

func checkStateful(env *Env, o *loader.Object, emit Emit) {
	if !statefulKind(o.Kind) {
		return
	}
	ps, ok := podSpecOf(o)
	if !ok {
		return
	}
	images := env.Params.Strings("images")
	if images == nil {
		images = []string{"redis", "postgres", "mongo", "rabbitmq", "qdrant"} // policies/default.yaml has the full list
	}
	dataPaths := env.Params.Strings("dataPaths")
	if dataPaths == nil {
		dataPaths = []string{"/data"}
	}
	claims := map[string]bool{} // volumeClaimTemplates names
	if o.Kind == "StatefulSet" {
		vcts, _ := dig(o.Obj, "spec", "volumeClaimTemplates").([]any)
		for _, v := range vcts {
			if n, ok := dig(v, "metadata", "name").(string); ok {
				claims[n] = true
			}
		}
	}
	vols := ps.volumes()
	for _, c := range ps.containers(false) {
		image, _ := c.spec["image"].(string)
		if image == "" || !matchImage(images, image) {
			continue
		}
		persistent, flagged := false, false
		mounts, _ := c.spec["volumeMounts"].([]any)
		for _, m := range mounts {
			name, _ := dig(m, "name").(string)
			mountPath, _ := dig(m, "mountPath").(string)
			v, hasVol := vols[name]
			switch {
			case claims[name] || (hasVol && v.spec["persistentVolumeClaim"] != nil):
				persistent = true
			case hasVol && v.spec["emptyDir"] != nil && underAny(mountPath, dataPaths):
				emit(join(v.path, "emptyDir"), fmt.Sprintf("%s (%s) keeps its data at %s on emptyDir volume %q, which is wiped whenever the pod is rescheduled",
					c.label(), image, mountPath, name))
				flagged = true
			}
		}
		if persistent || flagged {
			continue
		}
		how := "as a " + o.Kind
		if o.Kind == "StatefulSet" {
			how = "in a StatefulSet without volumeClaimTemplates or a persistentVolumeClaim volume"
		}
		emit(c.at("image"), fmt.Sprintf("%s runs stateful image %s %s: its data is lost whenever the pod is rescheduled", c.label(), image, how))
	}
}

func underAny(p string, dirs []string) bool {
	if p == "" {
		return false
	}
	p = path.Clean(p)
	for _, d := range dirs {
		d = path.Clean(d)
		if p == d || strings.HasPrefix(p, d+"/") || strings.HasPrefix(d, p+"/") {
			return true
		}
	}
	return false
}
