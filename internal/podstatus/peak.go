package podstatus

import (
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// OOMCause is the cause text of an OOM kill: "OOMKilled (limit 256Mi)", or,
// when the memory peak of the killed container is known,
// "OOMKilled (limit 256Mi, peak 251Mi)", which says how close to the limit it
// ran before the kernel killed it.
func OOMCause(limit, peak string) string {
	if limit == "" {
		return "OOMKilled (no memory limit)"
	}
	if peak == "" {
		return "OOMKilled (limit " + limit + ")"
	}
	return "OOMKilled (limit " + limit + ", peak " + peak + ")"
}

// LastTermination returns the container whose termination is the pod's last
// restart and that termination (nil when nothing restarted): the same one
// Summarize explains in LastCause.
func LastTermination(pod *corev1.Pod) (container string, term *corev1.ContainerStateTerminated) {
	if st := kubectlStatus(pod); st.last != nil {
		return st.last.container, st.last.term
	}
	return "", nil
}

// CauseWithPeak returns cause with the memory peak added to its OOM kill
// text, when the last restart of pod was an OOM kill under a limit; any
// other cause is returned as it is.
func CauseWithPeak(pod *corev1.Pod, cause, peak string) string {
	container, term := LastTermination(pod)
	if term == nil || term.Reason != "OOMKilled" || peak == "" {
		return cause
	}
	limit := MemoryLimit(pod, container)
	if limit == "" {
		return cause
	}
	return strings.Replace(cause, OOMCause(limit, ""), OOMCause(limit, peak), 1)
}
