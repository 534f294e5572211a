package watch

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
)

const benchPods = 5000

// startBench runs a store over benchPods fake pods and waits for the synced
// snapshot.
func startBench(b *testing.B) (*fake.Clientset, <-chan Snapshot) {
	b.Helper()
	objs := make([]runtime.Object, benchPods)
	for i := range objs {
		objs[i] = testPod(fmt.Sprintf("pod-%04d", i), map[string]string{"app": fmt.Sprintf("app-%02d", i%40)})
	}
	client := fake.NewClientset(objs...)
	ctx, cancel := context.WithCancel(context.Background())
	b.Cleanup(cancel)
	ch := make(chan Snapshot, 16)
	go func() { _ = New(client, Options{Namespace: ns}).Run(ctx, func(s Snapshot) { ch <- s }) }()
	for s := range ch {
		if s.Synced && len(s.Pods) == benchPods {
			break
		}
	}
	return client, ch
}

// BenchmarkEventToSnapshot5000 measures, with 5,000 pods cached, the time
// from a pod status change on the API (fake) to the snapshot that shows it
// being handed to the UI: informer delivery + coalescing + summarizing +
// sorting. Updates are spaced by the coalescing interval, as isolated
// changes are in real life; the reported ns/op is the latency alone.
func BenchmarkEventToSnapshot5000(b *testing.B) {
	client, ch := startBench(b)
	pods := client.CoreV1().Pods(ns)
	var total time.Duration
	i := 0
	for b.Loop() {
		i++
		b.StopTimer()
		time.Sleep(DefaultInterval)
		p := testPod(fmt.Sprintf("pod-%04d", i%benchPods), nil)
		p.Status.ContainerStatuses[0].RestartCount = int32(i)
		b.StartTimer()
		start := time.Now()
		if _, err := pods.UpdateStatus(context.Background(), p, metav1.UpdateOptions{}); err != nil {
			b.Fatal(err)
		}
		for s := range ch {
			if got := restartsOf(s, p.Name); got == int32(i) {
				break
			}
		}
		total += time.Since(start)
	}
	b.ReportMetric(float64(total.Microseconds())/float64(i)/1000, "ms/event")
}

// BenchmarkBurstToSnapshot5000 is the worst case: a change arriving right
// after a snapshot waits out the coalescing interval.
func BenchmarkBurstToSnapshot5000(b *testing.B) {
	client, ch := startBench(b)
	pods := client.CoreV1().Pods(ns)
	i := 0
	for b.Loop() {
		i++
		p := testPod(fmt.Sprintf("pod-%04d", i%benchPods), nil)
		p.Status.ContainerStatuses[0].RestartCount = int32(i)
		if _, err := pods.UpdateStatus(context.Background(), p, metav1.UpdateOptions{}); err != nil {
			b.Fatal(err)
		}
		for s := range ch {
			if restartsOf(s, p.Name) == int32(i) {
				break
			}
		}
	}
}

func restartsOf(s Snapshot, name string) int32 {
	for i := range s.Pods {
		if s.Pods[i].Name == name {
			return s.Pods[i].Restarts
		}
	}
	return -1
}

// BenchmarkFlush5000 is the store's own work per snapshot: re-summarize one
// changed pod and build the sorted 5,000-row snapshot.
func BenchmarkFlush5000(b *testing.B) {
	s := New(fake.NewClientset(), Options{Namespace: ns})
	for i := range benchPods {
		s.onPod(testPod(fmt.Sprintf("pod-%04d", i), nil))
	}
	s.flush()
	p := testPod("pod-0042", nil)
	for b.Loop() {
		s.onPod(p)
		if _, ok := s.flush(); !ok {
			b.Fatal("no snapshot")
		}
	}
}

// BenchmarkIdle5000 shows that a synced store with nothing changing uses no
// CPU: it reports the process CPU time spent per idle second, and the
// number of snapshots sent while idle (must be 0).
func BenchmarkIdle5000(b *testing.B) {
	_, ch := startBench(b)
	var cpu time.Duration
	sent := 0
	for b.Loop() {
		before := cpuTime()
		deadline := time.After(time.Second)
	idle:
		for {
			select {
			case <-ch:
				sent++
			case <-deadline:
				break idle
			}
		}
		cpu += cpuTime() - before
	}
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/idle-s")
	b.ReportMetric(float64(sent), "snapshots-while-idle")
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
