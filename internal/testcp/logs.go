package testcp

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// ContainerLogs are the lines kwok serves for one container through the
// API server's pods/log (Options.Logs): Current for `kubectl logs`
// (followable), Previous for `kubectl logs -p`; nil Previous means the
// container has no previous instance.
type ContainerLogs struct {
	Current, Previous []string
}

var logsResource = schema.GroupVersionResource{Group: "kwok.x-k8s.io", Version: "v1alpha1", Resource: "logs"}

// SetPodLogs makes kwok serve these logs for the pod's containers: it
// writes them as container runtime (CRI) log files in the plane's temp dir
// and creates kwok's Logs object for the pod. Call it before the first
// read; use AppendLog for lines written later.
func (c *ControlPlane) SetPodLogs(t testing.TB, ns, pod string, containers map[string]ContainerLogs) {
	t.Helper()
	if !c.p.opts.Logs {
		t.Fatal("testcp: SetPodLogs needs Options{Logs: true}")
	}
	var entries []any
	for name, l := range containers {
		cur := c.logPath(ns, pod, name, false)
		if err := writeCRILog(cur, l.Current, false); err != nil {
			t.Fatalf("testcp: %v", err)
		}
		e := map[string]any{"containers": []any{name}, "logsFile": cur, "follow": true}
		if l.Previous != nil {
			prev := c.logPath(ns, pod, name, true)
			if err := writeCRILog(prev, l.Previous, false); err != nil {
				t.Fatalf("testcp: %v", err)
			}
			e["previousLogsFile"] = prev
		}
		entries = append(entries, e)
	}
	obj := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "kwok.x-k8s.io/v1alpha1", "kind": "Logs",
		"metadata": map[string]any{"name": pod, "namespace": ns},
		"spec":     map[string]any{"logs": entries},
	}}
	if _, err := c.Dynamic.Resource(logsResource).Namespace(ns).Create(context.Background(), obj, metav1.CreateOptions{}); err != nil {
		t.Fatalf("testcp: kwok Logs for %s/%s: %v", ns, pod, err)
	}
}

// AppendLog adds lines to a container's current log, as a running
// container writing them; a follower sees them at once.
func (c *ControlPlane) AppendLog(t testing.TB, ns, pod, container string, lines ...string) {
	t.Helper()
	if err := writeCRILog(c.logPath(ns, pod, container, false), lines, true); err != nil {
		t.Fatalf("testcp: %v", err)
	}
}

func (c *ControlPlane) logPath(ns, pod, container string, previous bool) string {
	name := container + ".log"
	if previous {
		name = container + ".previous.log"
	}
	return filepath.Join(c.p.path("pod-logs"), ns, pod, name)
}

// writeCRILog writes lines in the format container runtimes use for the
// kubelet ("<RFC3339Nano> stdout F <line>"), which kwok reads back.
func writeCRILog(path string, lines []string, appendTo bool) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	var b strings.Builder
	ts := time.Now().UTC()
	for _, l := range lines {
		fmt.Fprintf(&b, "%s stdout F %s\n", ts.Format(time.RFC3339Nano), l)
	}
	flag := os.O_CREATE | os.O_WRONLY | os.O_TRUNC
	if appendTo {
		flag = os.O_CREATE | os.O_WRONLY | os.O_APPEND
	}
	f, err := os.OpenFile(path, flag, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(b.String()); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}
