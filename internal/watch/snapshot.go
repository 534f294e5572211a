package watch

import (
	"cmp"
	"slices"

	corev1 "k8s.io/api/core/v1"

	"github.com/emmdev/emmdev/internal/podstatus"
)

// Pod is one row of a snapshot. Object and Events are shared with the
// store's cache and must be treated as read-only.
type Pod struct {
	podstatus.Summary
	Object *corev1.Pod
	// Events are the pod's events, oldest first.
	Events []corev1.Event
}

// Key is "namespace/name".
func (p Pod) Key() string { return p.Namespace + "/" + p.Name }

// Snapshot is the whole state at one instant, sent to the UI.
type Snapshot struct {
	// Pods sorted by namespace, then name.
	Pods []Pod
	Conn Conn
	// Synced is false until the first full list of pods and events arrived.
	Synced bool
	// Seq increases with every snapshot a store emits.
	Seq uint64
}

// BuildPods summarizes pods with their events (keyed by "namespace/name"
// of the involved pod), sorted by namespace and name.
func BuildPods(pods []*corev1.Pod, events map[string][]corev1.Event) []Pod {
	out := make([]Pod, 0, len(pods))
	for _, p := range pods {
		evs := events[p.Namespace+"/"+p.Name]
		sortEvents(evs)
		out = append(out, Pod{Summary: podstatus.Summarize(p, evs), Object: p, Events: evs})
	}
	sortPods(out)
	return out
}

func sortPods(ps []Pod) {
	slices.SortFunc(ps, func(a, b Pod) int {
		return cmp.Or(cmp.Compare(a.Namespace, b.Namespace), cmp.Compare(a.Name, b.Name))
	})
}

func sortEvents(evs []corev1.Event) {
	slices.SortStableFunc(evs, func(a, b corev1.Event) int {
		return podstatus.EventTime(&a).Compare(podstatus.EventTime(&b))
	})
}
