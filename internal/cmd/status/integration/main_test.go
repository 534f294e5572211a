package integration

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/emmdev/emmdev/internal/testcp"
	"github.com/emmdev/emmdev/internal/tui"
	"github.com/emmdev/emmdev/internal/watch"
)

func TestMain(m *testing.M) {
	os.Exit(testcp.Main(m, testcp.Options{Controllers: true, Kwok: true}))
}

// screen runs a store against the plane and feeds every snapshot into a
// TUI model, as `emmdev status` does, so tests can assert on both the data
// and the rendered screen.
type screen struct {
	t     *testing.T
	snaps chan watch.Snapshot
	model tui.Model
	last  watch.Snapshot
}

func watchNamespace(t *testing.T, client kubernetes.Interface, ns string) *screen {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &screen{t: t, snaps: make(chan watch.Snapshot, 256),
		model: tui.New(tui.Options{Context: "testcp", Namespace: ns})}
	next, _ := s.model.Update(tea.WindowSizeMsg{Width: 200, Height: 40})
	s.model = next.(tui.Model)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = watch.New(client, watch.Options{Namespace: ns}).Run(ctx, func(snap watch.Snapshot) { s.snaps <- snap })
	}()
	t.Cleanup(func() { cancel(); <-done })
	return s
}

// until applies snapshots to the model until ok holds for the snapshot and
// the rendered view.
func (s *screen) until(what string, timeout time.Duration, ok func(watch.Snapshot, string) bool) (watch.Snapshot, string) {
	s.t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case snap := <-s.snaps:
			next, _ := s.model.Update(tui.SnapshotMsg{Snapshot: snap})
			s.model = next.(tui.Model)
			s.last = snap
			if view := s.model.View().Content; ok(snap, view) {
				return snap, view
			}
		case <-deadline:
			s.t.Fatalf("timed out after %v waiting for %s; last screen:\n%s", timeout, what, s.model.View().Content)
		}
	}
}

func podNamed(s watch.Snapshot, prefix string) (watch.Pod, bool) {
	for _, p := range s.Pods {
		if strings.HasPrefix(p.Name, prefix) {
			return p, true
		}
	}
	return watch.Pod{}, false
}

func deployment(name string, replicas int32) *appsv1.Deployment {
	labels := map[string]string{"app.kubernetes.io/name": name}
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: name, Image: "registry.local/" + name + ":1"}}},
			},
		},
	}
}

func pod(name string, labels map[string]string, memLimit string) *corev1.Pod {
	c := corev1.Container{Name: "main", Image: "registry.local/" + name + ":1"}
	if memLimit != "" {
		c.Resources.Limits = corev1.ResourceList{corev1.ResourceMemory: resource.MustParse(memLimit)}
	}
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{c}},
	}
}
