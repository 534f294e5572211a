package rules

import (
	"strconv"

	"github.com/emmdev/emmdev/internal/lint/loader"
)

// podSpecPath says where a workload kind keeps its pod spec (nil: the kind
// has none).
func podSpecPath(kind string) []string {
	switch kind {
	case "Pod":
		return []string{"spec"}
	case "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job":
		return []string{"spec", "template", "spec"}
	case "CronJob":
		return []string{"spec", "jobTemplate", "spec", "template", "spec"}
	}
	return nil
}

// longRunning kinds serve until replaced; probes only make sense there.
func longRunning(kind string) bool {
	switch kind {
	case "Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController":
		return true
	}
	return false
}

type podSpec struct {
	path []string
	spec map[string]any
}

type container struct {
	path []string
	spec map[string]any
	name string
	init bool
}

func podSpecOf(o *loader.Object) (podSpec, bool) {
	p := podSpecPath(o.Kind)
	if p == nil {
		return podSpec{}, false
	}
	spec, ok := dig(o.Obj, p...).(map[string]any)
	return podSpec{path: p, spec: spec}, ok
}

// containers lists regular containers, then init containers when asked.
// Items that are not mappings are left to the schema check.
func (p podSpec) containers(withInit bool) []container {
	lists := []string{"containers"}
	if withInit {
		lists = append(lists, "initContainers")
	}
	var out []container
	for _, list := range lists {
		items, _ := p.spec[list].([]any)
		for i, it := range items {
			c, ok := it.(map[string]any)
			if !ok {
				continue
			}
			name, _ := c["name"].(string)
			out = append(out, container{path: p.at(list, strconv.Itoa(i)), spec: c, name: name, init: list == "initContainers"})
		}
	}
	return out
}

// volumes maps volume names to their index and spec.
func (p podSpec) volumes() map[string]volume {
	out := map[string]volume{}
	items, _ := p.spec["volumes"].([]any)
	for i, it := range items {
		v, ok := it.(map[string]any)
		if !ok {
			continue
		}
		if name, ok := v["name"].(string); ok {
			out[name] = volume{path: p.at("volumes", strconv.Itoa(i)), spec: v}
		}
	}
	return out
}

type volume struct {
	path []string
	spec map[string]any
}

func (p podSpec) at(segs ...string) []string { return join(p.path, segs...) }

func (c container) at(segs ...string) []string { return join(c.path, segs...) }

func join(base []string, segs ...string) []string {
	out := make([]string, 0, len(base)+len(segs))
	return append(append(out, base...), segs...)
}

func (c container) label() string {
	kind := "container"
	if c.init {
		kind = "init container"
	}
	if c.name == "" {
		return kind
	}
	return kind + " " + strconv.Quote(c.name)
}
