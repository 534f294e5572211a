package usage

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func snap(at time.Time, pods ...Pod) Snapshot {
	s := Snapshot{Available: true, Pods: map[Key]Pod{}}
	for _, p := range pods {
		p.Timestamp = at
		s.Pods[p.Key()] = p
	}
	return s
}

func memPod(name string, mib int64) Pod {
	return Pod{Namespace: "ns", Name: name, Containers: map[string]Sample{"main": {MemBytes: mib << 20, CPUMilli: mib}}}
}

func TestHistoryPeakIsTheMaximumInsideTheWindow(t *testing.T) {
	t.Parallel()
	h := NewHistory(16, time.Hour)
	for i, mib := range []int64{100, 251, 180, 40} {
		h.Record(snap(t0.Add(time.Duration(i)*10*time.Second), memPod("p", mib)))
	}
	if peak, ok := h.PeakMemory("ns", "p", "main", time.Time{}, time.Time{}); !ok || peak != 251<<20 {
		t.Errorf("all-time peak = %d, %v; want 251Mi", peak>>20, ok)
	}
	// The container instance that ran from 20s on never saw 251Mi.
	if peak, ok := h.PeakMemory("ns", "p", "main", t0.Add(20*time.Second), time.Time{}); !ok || peak != 180<<20 {
		t.Errorf("peak from 20s = %dMi, %v; want 180Mi", peak>>20, ok)
	}
	if _, ok := h.PeakMemory("ns", "p", "main", t0.Add(time.Hour), time.Time{}); ok {
		t.Error("a window without samples must say so, not report 0")
	}
	if _, ok := h.PeakMemory("ns", "other", "main", time.Time{}, time.Time{}); ok {
		t.Error("an unknown container has no peak")
	}
}

func TestHistoryIsBounded(t *testing.T) {
	t.Parallel()
	h := NewHistory(4, time.Minute)
	for i := range 100 {
		// The same reading repeated must not count twice.
		at := t0.Add(time.Duration(i/2) * time.Second)
		h.Record(snap(at, memPod("p", int64(1000-i))))
	}
	if n := len(h.series[seriesKey{"ns", "p", "main"}].pts); n != 4 {
		t.Fatalf("kept %d samples, want the newest 4", n)
	}
	// Only the 4 newest distinct readings remain: 902, 904, 906, 908 Mi (even i from 92).
	if peak, _ := h.PeakMemory("ns", "p", "main", time.Time{}, time.Time{}); peak != 908<<20 {
		t.Errorf("peak over the ring = %dMi, want 908Mi (older samples overwritten)", peak>>20)
	}
	// A container not seen for longer than maxAge is forgotten.
	h.Record(snap(t0.Add(time.Hour), memPod("q", 1)))
	if _, ok := h.PeakMemory("ns", "p", "main", time.Time{}, time.Time{}); ok || h.Len() != 1 {
		t.Errorf("stale container kept: len %d", h.Len())
	}
	h.Record(Snapshot{Note: "down"})
	if h.Len() != 1 {
		t.Error("an unavailable snapshot must not change the history")
	}
}

func TestOfRelatesUsageToLimits(t *testing.T) {
	t.Parallel()
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "p"}, Spec: corev1.PodSpec{Containers: []corev1.Container{
		{Name: "app", Resources: corev1.ResourceRequirements{Limits: corev1.ResourceList{
			corev1.ResourceCPU: resource.MustParse("500m"), corev1.ResourceMemory: resource.MustParse("256Mi")}}},
		{Name: "sidecar", Resources: corev1.ResourceRequirements{Limits: corev1.ResourceList{
			corev1.ResourceMemory: resource.MustParse("256Mi")}}},
	}}}
	m := Pod{Namespace: "ns", Name: "p", Containers: map[string]Sample{
		"app":     {CPUMilli: 250, MemBytes: 251 << 20},
		"sidecar": {CPUMilli: 10, MemBytes: 64 << 20},
	}}
	total, cs := PodTotal(pod, m), PerContainer(pod, m)
	if len(cs) != 2 || cs[0].Name != "app" || cs[1].Name != "sidecar" {
		t.Fatalf("containers = %+v, want app and sidecar in spec order", cs)
	}
	app, side := cs[0], cs[1]
	if app.CPULimitPct != 50 || Pct(app.MemLimitPct) != "98%" || !app.NearMemLimit || MemPct(app.Usage) != "98%!" {
		t.Errorf("app = %+v (%s), want 50%% CPU, 98%%! memory", app, MemPct(app.Usage))
	}
	if side.CPULimitPct >= 0 || Pct(side.CPULimitPct) != "n/a" || side.MemLimitPct != 25 || side.NearMemLimit {
		t.Errorf("sidecar = %+v, want no CPU limit and 25%% memory", side)
	}
	if total.CPUMilli != 260 || total.MemBytes != 315<<20 {
		t.Errorf("total = %+v", total)
	}
	// The sidecar has no CPU limit: the pod's %CPU/L would be a lie.
	if total.CPULimitPct >= 0 {
		t.Errorf("pod %%CPU/L = %v, want n/a", total.CPULimitPct)
	}
	if Pct(total.MemLimitPct) != "61%" || !total.NearMemLimit || MemPct(total) != "61%!" {
		t.Errorf("pod memory = %s (near %v); want 61%% and marked, because one container is above 90%%", MemPct(total), total.NearMemLimit)
	}
	if CPU(total.CPUMilli) != "260m" || Memory(total.MemBytes) != "315Mi" {
		t.Errorf("formatted %s %s", CPU(total.CPUMilli), Memory(total.MemBytes))
	}
}

func TestNearLimitIsAbove90Percent(t *testing.T) {
	t.Parallel()
	lim := resource.MustParse("100Mi")
	pod := &corev1.Pod{Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c",
		Resources: corev1.ResourceRequirements{Limits: corev1.ResourceList{corev1.ResourceMemory: lim}}}}}}
	for _, tc := range []struct {
		bytes int64
		near  bool
	}{{90 << 20, false}, {90<<20 + 1, true}, {100 << 20, true}, {50 << 20, false}} {
		cs := PerContainer(pod, Pod{Containers: map[string]Sample{"c": {MemBytes: tc.bytes}}})
		if cs[0].NearMemLimit != tc.near {
			t.Errorf("%d bytes of 100Mi: near = %v, want %v", tc.bytes, cs[0].NearMemLimit, tc.near)
		}
	}
}
