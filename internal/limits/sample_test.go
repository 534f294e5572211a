package limits

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	kubefake "k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
	metricsapi "k8s.io/metrics/pkg/apis/metrics/v1beta1"
	metricsfake "k8s.io/metrics/pkg/client/clientset/versioned/fake"
)

var t0 = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

func kubePod(name string, labels map[string]string) *corev1.Pod {
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "agentic-ai", Name: name, Labels: labels}}
}

// readings serves one PodMetrics list per call, in order, repeating the last.
func readings(lists ...[]metricsapi.PodMetrics) *metricsfake.Clientset {
	c := metricsfake.NewSimpleClientset()
	var n atomic.Int32
	c.PrependReactor("list", "pods", func(k8stesting.Action) (bool, runtime.Object, error) {
		i := min(int(n.Add(1))-1, len(lists)-1)
		return true, &metricsapi.PodMetricsList{Items: lists[i]}, nil
	})
	return c
}

func pm(pod string, at time.Time, mem, cpu string) metricsapi.PodMetrics {
	return metricsapi.PodMetrics{ObjectMeta: metav1.ObjectMeta{Namespace: "agentic-ai", Name: pod}, Timestamp: metav1.NewTime(at),
		Containers: []metricsapi.ContainerMetrics{{Name: "classifier", Usage: corev1.ResourceList{
			corev1.ResourceMemory: resource.MustParse(mem), corev1.ResourceCPU: resource.MustParse(cpu)}}}}
}

func TestSamplerKeepsThePeakOfDistinctReadings(t *testing.T) {
	t.Parallel()
	kube := kubefake.NewClientset(
		kubePod("classifier-7d9f-abcde", map[string]string{"app": "classifier"}),
		kubePod("classifier-7d9f-fghij", map[string]string{"app": "classifier"}),
		kubePod("other-0", map[string]string{"app": "other"}),
	)
	m := readings(
		[]metricsapi.PodMetrics{pm("classifier-7d9f-abcde", t0, "1Gi", "200m"), pm("other-0", t0, "9Gi", "9")},
		// metrics-server has not refreshed: the same reading again.
		[]metricsapi.PodMetrics{pm("classifier-7d9f-abcde", t0, "1Gi", "200m")},
		[]metricsapi.PodMetrics{pm("classifier-7d9f-abcde", t0.Add(15*time.Second), "3.2Gi", "1500m"),
			pm("classifier-7d9f-fghij", t0.Add(15*time.Second), "2Gi", "1700m")},
	)
	s := Sampler{Kube: kube, Metrics: m, Duration: 2500 * time.Millisecond, Interval: time.Second, Timeout: time.Second}
	target := Target{Namespace: "agentic-ai", Kind: "Deployment", Name: "classifier",
		Selector: map[string]string{"app": "classifier"}, Containers: []string{"classifier"}}
	peaks, err := s.Peaks(context.Background(), []Target{target})
	if err != nil {
		t.Fatal(err)
	}
	got := peaks[ContainerKey{"agentic-ai", "Deployment", "classifier", "classifier"}]
	want := resource.MustParse("3.2Gi")
	// Readings: abcde@t0, abcde@t0+15s, fghij@t0+15s; the repeat is not counted.
	if got.MemBytes != want.Value() || got.CPUMilli != 1700 || got.Samples != 3 {
		t.Errorf("peak = %+v, want 3.2Gi, 1700m (the other pod of the workload), 3 samples", got)
	}
	if len(peaks) != 1 {
		t.Errorf("pods of other workloads must not count: %v", peaks)
	}
}

func TestSamplerWithoutMetricsAPIFailsClearly(t *testing.T) {
	t.Parallel()
	m := metricsfake.NewSimpleClientset()
	m.PrependReactor("list", "pods", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewNotFound(schema.GroupResource{Group: "metrics.k8s.io", Resource: "pods"}, "")
	})
	s := Sampler{Kube: kubefake.NewClientset(), Metrics: m, Duration: time.Minute, Interval: time.Second}
	_, err := s.Peaks(context.Background(), []Target{{Namespace: "agentic-ai", Kind: "Pod", Name: "p", Containers: []string{"c"}}})
	if !IsNoMetrics(err) || err.Error() != "cannot sample: no metrics API (metrics.k8s.io): install metrics-server to see CPU and memory" {
		t.Errorf("err = %v", err)
	}
}

func TestSamplerStopsOnCancel(t *testing.T) {
	t.Parallel()
	s := Sampler{Kube: kubefake.NewClientset(), Metrics: readings([]metricsapi.PodMetrics{}), Duration: time.Hour, Interval: time.Hour}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := s.Peaks(ctx, []Target{{Namespace: "agentic-ai", Kind: "Pod", Name: "p", Containers: []string{"c"}}})
		done <- err
	}()
	time.Sleep(100 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("sampling did not stop within 2s of cancel")
	}
}
