// Package podstatus turns a Pod and its recent events into the one-line
// diagnosis a person needs: kubectl's STATUS column, READY x/y, restarts and,
// above all, the cause of the last restart. `emmdev status` and `emmdev up`
// both show it, so the two never disagree.
package podstatus

import (
	"fmt"
	"strings"
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
	// "readiness probe failed: HTTP probe failed with statuscode: 500".
	LastCause   string
	Created     time.Time
	Terminating bool
}

// Summarize builds the Summary. events should be the pod's own events (any
// order); they supply probe failures that the pod status does not carry.
func Summarize(pod *corev1.Pod, events []corev1.Event) Summary {
	s := Summary{
		Namespace:   pod.Namespace,
		Name:        pod.Name,
		App:         appOf(pod),
		Node:        pod.Spec.NodeName,
		Total:       len(pod.Spec.Containers),
		Created:     pod.CreationTimestamp.Time,
		Terminating: pod.DeletionTimestamp != nil,
	}
	s.Status = string(pod.Status.Phase)
	if pod.Status.Reason != "" {
		s.Status = pod.Status.Reason
	}
	if pod.Status.Phase == corev1.PodPending {
		for _, c := range pod.Status.Conditions {
			if c.Type == corev1.PodScheduled && c.Status == corev1.ConditionFalse && c.Reason != "" {
				s.Status = "Pending: " + c.Reason
			}
		}
	}
	for _, cs := range pod.Status.InitContainerStatuses {
		if w := cs.State.Waiting; w != nil && w.Reason != "" && w.Reason != "PodInitializing" {
			s.Status = "Init:" + w.Reason
		}
	}
	for _, cs := range pod.Status.ContainerStatuses {
		if cs.Ready {
			s.Ready++
		}
		s.Restarts += cs.RestartCount
		switch {
		case cs.State.Waiting != nil && cs.State.Waiting.Reason != "" && cs.State.Waiting.Reason != "ContainerCreating":
			s.Status = cs.State.Waiting.Reason
		case cs.State.Waiting != nil && cs.State.Waiting.Reason == "ContainerCreating" && pod.Status.Phase == corev1.PodPending:
			s.Status = "ContainerCreating"
		case cs.State.Terminated != nil && cs.State.Terminated.Reason != "":
			s.Status = cs.State.Terminated.Reason
		}
		if t := cs.LastTerminationState.Terminated; t != nil && t.FinishedAt.After(s.LastRestart) {
			s.LastRestart = t.FinishedAt.Time
			s.LastCause = terminationCause(pod, cs.Name, t)
		}
	}
	if probe := probeFailure(events); probe != "" && (s.LastCause == "" || !strings.HasPrefix(s.LastCause, "OOMKilled")) {
		if s.LastCause == "" {
			s.LastCause = probe
		} else {
			s.LastCause += "; " + probe
		}
	}
	if s.Terminating {
		s.Status = "Terminating"
	}
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

func terminationCause(pod *corev1.Pod, container string, t *corev1.ContainerStateTerminated) string {
	if t.Reason == "OOMKilled" {
		for _, c := range pod.Spec.Containers {
			if c.Name == container {
				if lim, ok := c.Resources.Limits[corev1.ResourceMemory]; ok {
					return "OOMKilled (limit " + lim.String() + ")"
				}
			}
		}
		return "OOMKilled (no memory limit)"
	}
	if t.Signal != 0 {
		return fmt.Sprintf("signal %d", t.Signal)
	}
	if t.ExitCode > 128 {
		return fmt.Sprintf("exit code %d (signal %d)", t.ExitCode, t.ExitCode-128)
	}
	if t.Reason != "" && t.Reason != "Error" {
		return fmt.Sprintf("%s (exit code %d)", t.Reason, t.ExitCode)
	}
	return fmt.Sprintf("exit code %d", t.ExitCode)
}

// probeFailure returns the newest "Unhealthy" event message (probe failures).
func probeFailure(events []corev1.Event) string {
	var newest *corev1.Event
	for i := range events {
		e := &events[i]
		if e.Reason != "Unhealthy" {
			continue
		}
		if newest == nil || eventTime(e).After(eventTime(newest)) {
			newest = e
		}
	}
	if newest == nil {
		return ""
	}
	msg := strings.TrimSpace(newest.Message)
	if msg == "" {
		return "probe failed"
	}
	return strings.ToLower(msg[:1]) + msg[1:]
}

func eventTime(e *corev1.Event) time.Time {
	switch {
	case !e.LastTimestamp.IsZero():
		return e.LastTimestamp.Time
	case !e.EventTime.IsZero():
		return e.EventTime.Time
	default:
		return e.CreationTimestamp.Time
	}
}
