// Package podstatus turns a Pod and its recent events into the one-line
// diagnosis a person needs: kubectl's STATUS column, READY x/y, restarts and,
// above all, the cause of the last restart. `emmdev status` and `emmdev up`
// both show it, so the two never disagree.
package podstatus

import (
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// Summary is what the status table shows for one pod.
type Summary struct {
	Namespace string
	Name      string
	App       string // app.kubernetes.io/name, else app, else the owner's name
	Node      string
	Ready     int
	Total     int
	Status    string // Running, Pending: <reason>, CrashLoopBackOff, OOMKilled, ...
	Restarts  int32
	// LastRestart is when the most recent container restart happened (zero if never).
	LastRestart time.Time
	// LastCause explains the most recent restart or termination:
	// "OOMKilled (limit 256Mi)", "exit code 1", "signal 9 (SIGKILL)",
	// "liveness probe failed: HTTP probe failed with statuscode: 500".
	LastCause   string
	Created     time.Time
	Terminating bool
}

// Summarize builds the Summary. events are the events naming the pod (any
// order; those of an earlier pod of the same name are ignored); they supply
// probe failures that the pod status does not carry.
func Summarize(pod *corev1.Pod, events []corev1.Event) Summary {
	s := Summary{
		Namespace:   pod.Namespace,
		Name:        pod.Name,
		App:         appOf(pod),
		Node:        pod.Spec.NodeName,
		Created:     pod.CreationTimestamp.Time,
		Terminating: pod.DeletionTimestamp != nil,
	}
	st := kubectlStatus(pod)
	s.Status, s.Ready, s.Total, s.Restarts = st.reason, st.ready, st.total, st.restarts
	if st.last != nil {
		s.LastRestart = st.last.term.FinishedAt.Time
		s.LastCause = terminationCause(pod, st.last.container, st.last.term)
	}
	s.LastCause = withProbeCause(s, CurrentEvents(pod, events))
	return s
}

// NotReady reports whether the pod should be named as not ready.
func (s Summary) NotReady() bool {
	return s.Status != "Completed" && s.Status != "Succeeded" && s.Ready < s.Total
}

// Diagnosis is the one-line explanation used by `emmdev up` on timeout.
func (s Summary) Diagnosis() string {
	msg := fmt.Sprintf("%s/%s %d/%d %s", s.Namespace, s.Name, s.Ready, s.Total, s.Status)
	if s.Restarts > 0 {
		msg += fmt.Sprintf(", %d restarts", s.Restarts)
	}
	if s.LastCause != "" {
		msg += ", last: " + s.LastCause
	}
	return msg
}

func appOf(pod *corev1.Pod) string {
	for _, k := range []string{"app.kubernetes.io/name", "app"} {
		if v := pod.Labels[k]; v != "" {
			return v
		}
	}
	if len(pod.OwnerReferences) > 0 {
		return pod.OwnerReferences[0].Name
	}
	return pod.Name
}
