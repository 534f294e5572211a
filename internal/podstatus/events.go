package podstatus

import corev1 "k8s.io/api/core/v1"

// CurrentEvents keeps the events of this pod's current life. A StatefulSet
// recreates redis-0 under the same name, and events outlive their pod by an
// hour, so matching by name would blame the new pod for the old one's
// probe failures: an event must carry this pod's UID (when it carries one
// at all) and must not be older than the pod.
func CurrentEvents(pod *corev1.Pod, events []corev1.Event) []corev1.Event {
	var out []corev1.Event
	born := pod.CreationTimestamp.Time
	for _, e := range events {
		if uid := e.InvolvedObject.UID; uid != "" && pod.UID != "" && uid != pod.UID {
			continue
		}
		if !born.IsZero() && EventTime(&e).Before(born) {
			continue
		}
		out = append(out, e)
	}
	return out
}
