package podstatus

import (
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// SignalName returns "SIGKILL" for 9, or "signal N" for numbers it does not
// know. It covers the signals that actually end containers, with the Linux
// numbers the kubelet reports.
func SignalName(sig int) string {
	switch sig {
	case 1:
		return "SIGHUP"
	case 2:
		return "SIGINT"
	case 3:
		return "SIGQUIT"
	case 4:
		return "SIGILL"
	case 6:
		return "SIGABRT"
	case 7:
		return "SIGBUS"
	case 8:
		return "SIGFPE"
	case 9:
		return "SIGKILL"
	case 11:
		return "SIGSEGV"
	case 13:
		return "SIGPIPE"
	case 14:
		return "SIGALRM"
	case 15:
		return "SIGTERM"
	}
	return fmt.Sprintf("signal %d", sig)
}

func terminationCause(pod *corev1.Pod, container string, t *corev1.ContainerStateTerminated) string {
	if t.Reason == "OOMKilled" {
		if lim := MemoryLimit(pod, container); lim != "" {
			return "OOMKilled (limit " + lim + ")"
		}
		return "OOMKilled (no memory limit)"
	}
	var cause string
	switch {
	case t.Signal != 0:
		cause = fmt.Sprintf("signal %d (%s)", t.Signal, SignalName(int(t.Signal)))
	case t.ExitCode > 128 && t.ExitCode <= 128+64:
		// The runtime reports 128+n when the process died of signal n.
		cause = fmt.Sprintf("exit code %d (%s)", t.ExitCode, SignalName(int(t.ExitCode-128)))
	default:
		cause = fmt.Sprintf("exit code %d", t.ExitCode)
	}
	if t.Reason != "" && t.Reason != "Error" && t.Reason != "Completed" {
		cause = t.Reason + ", " + cause
	}
	return cause
}

// MemoryLimit is the memory limit of the named container ("" if none).
func MemoryLimit(pod *corev1.Pod, container string) string {
	for _, list := range [][]corev1.Container{pod.Spec.Containers, pod.Spec.InitContainers} {
		for _, c := range list {
			if c.Name != container {
				continue
			}
			if lim, ok := c.Resources.Limits[corev1.ResourceMemory]; ok {
				return lim.String()
			}
		}
	}
	return ""
}

// probeWindow is how far before a restart a liveness/startup probe failure
// still counts as its cause: the kubelet kills after failureThreshold ×
// periodSeconds, which is well under this for sane probes.
const probeWindow = 5 * time.Minute

// withProbeCause adds what the events know and the pod status does not: a
// liveness or startup probe failure shortly before the last restart explains
// it (the status only says exit 137); a readiness failure explains a pod
// that runs but is not ready.
func withProbeCause(s Summary, events []corev1.Event) string {
	cause := s.LastCause
	if live := newestProbe(events, "Liveness", "Startup"); live != nil && !s.LastRestart.IsZero() {
		at := EventTime(live)
		if !at.After(s.LastRestart.Add(time.Minute)) && at.After(s.LastRestart.Add(-probeWindow)) {
			return probeText(live) + " (" + cause + ")"
		}
	}
	if cause == "" && s.Restarts > 0 {
		if live := newestProbe(events, "Liveness", "Startup"); live != nil {
			return probeText(live)
		}
	}
	if s.Ready < s.Total && !s.Terminating {
		if ready := newestProbe(events, "Readiness"); ready != nil {
			if cause == "" {
				return probeText(ready)
			}
			return cause + "; " + probeText(ready)
		}
	}
	return cause
}

// newestProbe returns the newest "Unhealthy" event whose message starts with
// one of the probe kinds ("Liveness probe failed: ...").
func newestProbe(events []corev1.Event, kinds ...string) *corev1.Event {
	var newest *corev1.Event
	for i := range events {
		e := &events[i]
		if e.Reason != "Unhealthy" || !hasAnyPrefix(e.Message, kinds) {
			continue
		}
		if newest == nil || EventTime(e).After(EventTime(newest)) {
			newest = e
		}
	}
	return newest
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

func probeText(e *corev1.Event) string {
	msg := strings.TrimSpace(e.Message)
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i] // exec probes can carry whole stack traces
	}
	if msg == "" {
		return "probe failed"
	}
	return strings.ToLower(msg[:1]) + msg[1:]
}

// EventTime is when an event last happened, whichever timestamp the
// reporter filled in.
func EventTime(e *corev1.Event) time.Time {
	switch {
	case !e.LastTimestamp.IsZero():
		return e.LastTimestamp.Time
	case e.Series != nil && !e.Series.LastObservedTime.IsZero():
		return e.Series.LastObservedTime.Time
	case !e.EventTime.IsZero():
		return e.EventTime.Time
	default:
		return e.CreationTimestamp.Time
	}
}
