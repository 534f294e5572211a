package podstatus

import (
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// TestEventsOfAnEarlierPodOfTheSameNameAreIgnored: a StatefulSet recreated
// redis-0 ten minutes ago; the previous redis-0 failed its probes 50
// minutes ago. The new pod is running but not ready yet and has no events
// of its own: its diagnosis must not show the old pod's failures, whether
// the old events carry the old UID or (older reporters) no UID at all.
func TestEventsOfAnEarlierPodOfTheSameNameAreIgnored(t *testing.T) {
	t.Parallel()
	born := t0.Add(50 * time.Minute)
	p := pod(func(p *corev1.Pod) {
		p.Name, p.UID = "redis-0", "uid-new"
		p.CreationTimestamp = metav1.NewTime(born)
		p.Status.ContainerStatuses[0].Ready = false
	})
	old := func(msg string, at time.Time, uid types.UID) corev1.Event {
		e := unhealthy(msg, at)
		e.InvolvedObject = corev1.ObjectReference{Kind: "Pod", Namespace: p.Namespace, Name: p.Name, UID: uid}
		return e
	}
	events := []corev1.Event{
		old("Readiness probe failed: dial tcp: connection refused", t0, "uid-old"),
		// Same name, old UID, even with a timestamp inside the new pod's life
		// (clock skew between the old node and the API server).
		old("Readiness probe failed: NOAUTH Authentication required", born.Add(time.Minute), "uid-old"),
		old("Readiness probe failed: LOADING Redis is loading", t0.Add(time.Minute), ""),
	}
	s := Summarize(p, events)
	if s.LastCause != "" {
		t.Errorf("cause %q comes from the earlier redis-0, want none", s.LastCause)
	}
	// The new pod's own failure is still shown.
	events = append(events, old("Readiness probe failed: LOADING Redis is loading the dataset", born.Add(2*time.Minute), "uid-new"))
	s = Summarize(p, events)
	if want := "readiness probe failed: LOADING Redis is loading the dataset"; s.LastCause != want {
		t.Errorf("cause %q, want %q", s.LastCause, want)
	}
	if strings.Contains(s.Diagnosis(), "NOAUTH") {
		t.Errorf("diagnosis %q shows the old pod's event", s.Diagnosis())
	}
}
