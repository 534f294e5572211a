package liveintegration

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metricsv "k8s.io/metrics/pkg/client/clientset/versioned"

	"github.com/emmdev/emmdev/internal/app"
	"github.com/emmdev/emmdev/internal/cmd/status"
	"github.com/emmdev/emmdev/internal/cmdutil"
	"github.com/emmdev/emmdev/internal/testcp"
	"github.com/emmdev/emmdev/internal/tui"
	"github.com/emmdev/emmdev/internal/usage"
	"github.com/emmdev/emmdev/internal/watch"
)

func TestMain(m *testing.M) {
	os.Exit(testcp.Main(m, testcp.Options{Controllers: true, Kwok: true, Metrics: true, Logs: true}))
}

// usedPod is a pod whose one container "main" has these limits ("" for
// none) and uses cpu and memory, as kwok reports to metrics-server.
func usedPod(name, cpuLimit, memLimit, cpu, mem string) *corev1.Pod {
	c := corev1.Container{Name: "main", Image: "registry.local/" + name + ":1"}
	if cpuLimit != "" {
		c.Resources.Limits = corev1.ResourceList{
			corev1.ResourceCPU: resource.MustParse(cpuLimit), corev1.ResourceMemory: resource.MustParse(memLimit)}
	}
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"app": name},
			Annotations: map[string]string{testcp.UsageCPUAnnotation: cpu, testcp.UsageMemoryAnnotation: mem}},
		Spec: corev1.PodSpec{Containers: []corev1.Container{c}},
	}
}

func create(t *testing.T, cp *testcp.ControlPlane, ns string, pods ...*corev1.Pod) {
	t.Helper()
	for _, p := range pods {
		if _, err := cp.Clientset.CoreV1().Pods(ns).Create(context.Background(), p, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
}

// emmdev runs the CLI in-process against the plane.
func emmdev(t *testing.T, cp *testcp.ControlPlane, args ...string) (code int, out, errOut string) {
	t.Helper()
	streams, _, o, e := cmdutil.TestStreams()
	code = app.Run(context.Background(), append(args, "--kubeconfig", cp.KubeconfigPath),
		&cmdutil.Factory{Streams: streams, Version: "test"})
	return code, o.String(), e.String()
}

// eventually retries f every 2s until it returns "" or timeout passes.
func eventually(t *testing.T, timeout time.Duration, f func() string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		msg := f()
		if msg == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %s: %s", timeout, msg)
		}
		time.Sleep(2 * time.Second)
	}
}

// screen drives a status screen model the way bubbletea does: messages
// from the command's background work (snapshots, usage readings, log lines)
// and the commands Update returns are fed back in, one at a time.
type screen struct {
	t    *testing.T
	m    tui.Model
	msgs chan tea.Msg
	stop context.CancelFunc
}

func (s *screen) send(msgs ...tea.Msg) {
	for _, msg := range msgs {
		next, cmd := s.m.Update(msg)
		s.m = next.(tui.Model)
		if cmd != nil {
			go func() {
				if m := cmd(); m != nil {
					s.msgs <- m
				}
			}()
		}
	}
}

func (s *screen) until(what string, timeout time.Duration, ok func(view string) bool) string {
	s.t.Helper()
	deadline := time.After(timeout)
	for {
		if v := s.m.View().Content; ok(v) {
			return v
		}
		select {
		case msg := <-s.msgs:
			s.send(msg)
		case <-deadline:
			s.t.Fatalf("timed out after %s waiting for %s; screen:\n%s", timeout, what, s.m.View().Content)
		}
	}
}

func (s *screen) contains(want string, timeout time.Duration) string {
	s.t.Helper()
	return s.until(want, timeout, func(v string) bool { return strings.Contains(v, want) })
}

// watchScreen wires a screen for namespace ns as `emmdev status` does:
// informers, a metrics poller (every interval) and pods/log for the details.
func watchScreen(t *testing.T, cp *testcp.ControlPlane, ns string, interval time.Duration) *screen {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &screen{t: t, msgs: make(chan tea.Msg, 1024), stop: cancel}
	s.m = tui.New(tui.Options{Context: "testcp", Namespace: ns, Now: time.Now,
		Logs: status.PodLogs(cp.Clientset), Parent: ctx})
	s.send(tea.WindowSizeMsg{Width: 220, Height: 50})
	mc, err := metricsv.NewForConfig(cp.Config)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		_ = watch.New(cp.Clientset, watch.Options{Namespace: ns}).Run(ctx, func(snap watch.Snapshot) { s.msgs <- tui.SnapshotMsg{Snapshot: snap} })
	})
	wg.Go(func() {
		_ = usage.Poller{Client: mc, Namespace: ns, Interval: interval}.Run(ctx, func(u usage.Snapshot) { s.msgs <- tui.UsageMsg{Snapshot: u} })
	})
	t.Cleanup(func() {
		cancel()
		// Drain so no sender blocks, then wait for the goroutines.
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		for {
			select {
			case <-s.msgs:
			case <-done:
				return
			}
		}
	})
	return s
}
