package podstatus

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
)

// nodeUnreachableReason is what the node lifecycle controller puts in
// pod.Status.Reason when it cannot reach the node (kubectl shows Unknown).
const nodeUnreachableReason = "NodeLost"

type lastTermination struct {
	container string
	term      *corev1.ContainerStateTerminated
}

type status struct {
	reason       string
	ready, total int
	restarts     int32
	last         *lastTermination
	initializing bool
}

// kubectlStatus follows kubectl's printPod (pkg/printers/internalversion) so
// the STATUS column matches what people already know, plus "Pending: reason"
// when the scheduler says why a pod is not placed.
func kubectlStatus(pod *corev1.Pod) status {
	st := status{reason: string(pod.Status.Phase), total: len(pod.Spec.Containers)}
	if pod.Status.Reason != "" {
		st.reason = pod.Status.Reason
	}
	for _, c := range pod.Status.Conditions {
		if c.Type == corev1.PodScheduled && c.Reason == corev1.PodReasonSchedulingGated {
			st.reason = corev1.PodReasonSchedulingGated
		}
	}
	sidecars := map[string]bool{}
	for _, c := range pod.Spec.InitContainers {
		if c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways {
			sidecars[c.Name] = true
			st.total++
		}
	}
	st.initContainers(pod, sidecars)
	if !st.initializing || podInitialized(pod) {
		st.mainContainers(pod)
	}
	if st.reason == string(corev1.PodPending) {
		for _, c := range pod.Status.Conditions {
			if c.Type == corev1.PodScheduled && c.Status == corev1.ConditionFalse && c.Reason != "" {
				st.reason = "Pending: " + c.Reason
			}
		}
	}
	terminal := pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed
	switch {
	case pod.DeletionTimestamp != nil && pod.Status.Reason == nodeUnreachableReason:
		st.reason = "Unknown"
	case pod.DeletionTimestamp != nil && !terminal:
		st.reason = "Terminating"
	}
	return st
}

func (st *status) noteRestart(name string, cs corev1.ContainerStatus) {
	st.restarts += cs.RestartCount
	t := cs.LastTerminationState.Terminated
	if t == nil {
		return
	}
	if st.last == nil || t.FinishedAt.After(st.last.term.FinishedAt.Time) {
		st.last = &lastTermination{container: name, term: t}
	}
}

func (st *status) initContainers(pod *corev1.Pod, sidecars map[string]bool) {
	for i, cs := range pod.Status.InitContainerStatuses {
		st.noteRestart(cs.Name, cs)
		switch {
		case cs.State.Terminated != nil && cs.State.Terminated.ExitCode == 0:
			continue
		case sidecars[cs.Name] && cs.Started != nil && *cs.Started:
			if cs.Ready {
				st.ready++
			}
			continue
		case cs.State.Terminated != nil:
			t := cs.State.Terminated
			switch {
			case t.Reason != "":
				st.reason = "Init:" + t.Reason
			case t.Signal != 0:
				st.reason = fmt.Sprintf("Init:Signal:%d", t.Signal)
			default:
				st.reason = fmt.Sprintf("Init:ExitCode:%d", t.ExitCode)
			}
		case cs.State.Waiting != nil && cs.State.Waiting.Reason != "" && cs.State.Waiting.Reason != "PodInitializing":
			st.reason = "Init:" + cs.State.Waiting.Reason
		default:
			st.reason = fmt.Sprintf("Init:%d/%d", i, len(pod.Spec.InitContainers))
		}
		st.initializing = true
		return
	}
}

func (st *status) mainContainers(pod *corev1.Pod) {
	hasRunning := false
	// kubectl walks backwards so the first container's state wins.
	for i := len(pod.Status.ContainerStatuses) - 1; i >= 0; i-- {
		cs := pod.Status.ContainerStatuses[i]
		st.noteRestart(cs.Name, cs)
		switch {
		case cs.State.Waiting != nil && cs.State.Waiting.Reason != "":
			st.reason = cs.State.Waiting.Reason
		case cs.State.Terminated != nil && cs.State.Terminated.Reason != "":
			st.reason = cs.State.Terminated.Reason
		case cs.State.Terminated != nil && cs.State.Terminated.Signal != 0:
			st.reason = fmt.Sprintf("Signal:%d", cs.State.Terminated.Signal)
		case cs.State.Terminated != nil:
			st.reason = fmt.Sprintf("ExitCode:%d", cs.State.Terminated.ExitCode)
		case cs.Ready && cs.State.Running != nil:
			hasRunning = true
			st.ready++
		}
	}
	if st.reason == "Completed" && hasRunning {
		st.reason = "NotReady"
		if hasCondition(pod, corev1.PodReady) {
			st.reason = "Running"
		}
	}
}

func podInitialized(pod *corev1.Pod) bool {
	for _, c := range pod.Status.Conditions {
		if c.Type == corev1.PodInitialized && c.Status == corev1.ConditionTrue {
			return true
		}
	}
	return false
}

func hasCondition(pod *corev1.Pod, t corev1.PodConditionType) bool {
	for _, c := range pod.Status.Conditions {
		if c.Type == t && c.Status == corev1.ConditionTrue {
			return true
		}
	}
	return false
}
