// Package usage reads the CPU and memory usage of pods from the
// metrics.k8s.io API (metrics-server, what `kubectl top` shows) and relates
// it to the containers' limits: the %CPU/L and %MEM/L of k9s, the mark near
// the memory limit, and the peaks `emmdev status` needs to explain an OOM
// kill. A cluster without the API is a normal case, reported as a note.
package usage

import (
	"context"
	"errors"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metricsv "k8s.io/metrics/pkg/client/clientset/versioned"
)

// DefaultTimeout bounds one call to the metrics API: a slow aggregated API
// server must not hold up the screen or a script.
const DefaultTimeout = 5 * time.Second

// Sample is the usage of one container at one time.
type Sample struct {
	CPUMilli int64 // millicores
	MemBytes int64 // working set bytes
}

// Pod is the usage of one pod's containers, measured over
// [Timestamp-Window, Timestamp].
type Pod struct {
	Namespace, Name string
	Timestamp       time.Time
	Window          time.Duration
	Containers      map[string]Sample
}

// Key identifies a pod; a struct rather than "namespace/name" so looking up
// the usage of thousands of rows per snapshot allocates nothing.
type Key struct{ Namespace, Name string }

// Key is the pod's map key.
func (p Pod) Key() Key { return Key{p.Namespace, p.Name} }

// Snapshot is one reading of the metrics API.
type Snapshot struct {
	// Available is false when the API is missing, refused or failing; Note
	// then says why, in one line, and the usage columns are hidden.
	Available bool
	Note      string
	Pods      map[Key]Pod
}

// Fetch lists the usage of the pods in ns ("" for all) matching selector,
// with timeout as the deadline of the call. It never fails: a missing or
// failing API is a Snapshot that is not Available, with the reason in Note.
// Only a cancelled ctx is returned as an error.
func Fetch(ctx context.Context, c metricsv.Interface, ns, selector string, timeout time.Duration) (Snapshot, error) {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	callCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	list, err := c.MetricsV1beta1().PodMetricses(ns).List(callCtx, metav1.ListOptions{LabelSelector: selector})
	if err != nil {
		if ctx.Err() != nil {
			return Snapshot{}, ctx.Err()
		}
		return Snapshot{Note: Explain(err, timeout)}, nil
	}
	s := Snapshot{Available: true, Pods: make(map[Key]Pod, len(list.Items))}
	for i := range list.Items {
		m := &list.Items[i]
		p := Pod{Namespace: m.Namespace, Name: m.Name, Timestamp: m.Timestamp.Time, Window: m.Window.Duration,
			Containers: make(map[string]Sample, len(m.Containers))}
		for _, c := range m.Containers {
			var smp Sample
			if q, ok := c.Usage["cpu"]; ok {
				smp.CPUMilli = q.MilliValue()
			}
			if q, ok := c.Usage["memory"]; ok {
				smp.MemBytes = q.Value()
			}
			p.Containers[c.Name] = smp
		}
		s.Pods[p.Key()] = p
	}
	return s, nil
}

// Explain phrases a metrics API failure for the one-line note.
func Explain(err error, timeout time.Duration) string {
	switch {
	case apierrors.IsNotFound(err):
		return "no metrics API (metrics.k8s.io): install metrics-server to see CPU and memory"
	case apierrors.IsServiceUnavailable(err):
		return "metrics API unavailable (metrics-server not ready or not reachable)"
	case apierrors.IsForbidden(err):
		return "metrics forbidden: you may not list pods.metrics.k8s.io"
	case errors.Is(err, context.DeadlineExceeded) || apierrors.IsTimeout(err):
		return fmt.Sprintf("metrics API did not answer within %s", timeout)
	}
	return "metrics API failed: " + oneLine(err.Error())
}

func oneLine(s string) string {
	const maxLen = 100
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			s = s[:i]
			break
		}
	}
	if len(s) > maxLen {
		s = s[:maxLen-1] + "…"
	}
	return s
}
