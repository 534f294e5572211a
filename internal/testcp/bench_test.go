package testcp

import (
	"context"
	"fmt"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
)

// BenchmarkPodToRunning measures one bare pod from Create until a watch sees
// it Running on the kwok node (scheduler + kwok pod-ready stage).
func BenchmarkPodToRunning(b *testing.B) {
	cp := Get(b)
	ns := cp.Namespace(b)
	ctx := context.Background()
	pods := cp.Clientset.CoreV1().Pods(ns)
	b.ResetTimer()
	for i := range b.N {
		name := fmt.Sprintf("bench-%d", i)
		w, err := pods.Watch(ctx, metav1.ListOptions{FieldSelector: "metadata.name=" + name})
		if err != nil {
			b.Fatal(err)
		}
		pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: podTemplate("bench").Spec}
		if _, err := pods.Create(ctx, pod, metav1.CreateOptions{}); err != nil {
			b.Fatal(err)
		}
		if err := waitRunning(w, time.Minute); err != nil {
			b.Fatalf("%s: %v", name, err)
		}
		w.Stop()
		// Free the node's pod slots; deletion is not what is measured.
		b.StopTimer()
		if err := pods.Delete(ctx, name, metav1.DeleteOptions{GracePeriodSeconds: new(int64)}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}

func waitRunning(w watch.Interface, timeout time.Duration) error {
	deadline := time.After(timeout)
	for {
		select {
		case ev, ok := <-w.ResultChan():
			if !ok {
				return fmt.Errorf("watch closed")
			}
			if p, isPod := ev.Object.(*corev1.Pod); isPod && p.Status.Phase == corev1.PodRunning {
				return nil
			}
		case <-deadline:
			return fmt.Errorf("not Running after %s", timeout)
		}
	}
}
