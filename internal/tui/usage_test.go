package tui

import (
	"strings"

	tea "charm.land/bubbletea/v2"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/emmdev/emmdev/internal/usage"
)

func limits(cpu, mem string) func(*corev1.Pod) {
	return func(p *corev1.Pod) {
		p.Spec.Containers[0].Resources.Limits = corev1.ResourceList{
			corev1.ResourceCPU: resource.MustParse(cpu), corev1.ResourceMemory: resource.MustParse(mem)}
	}
}

func usageMsg(at time.Time, pods ...usage.Pod) UsageMsg {
	s := usage.Snapshot{Available: true, Pods: map[usage.Key]usage.Pod{}}
	for _, p := range pods {
		p.Timestamp = at
		s.Pods[p.Key()] = p
	}
	return UsageMsg{s}
}

func used(name string, cpuMilli, memMi int64) usage.Pod {
	return usage.Pod{Namespace: "agentic-ai", Name: name,
		Containers: map[string]usage.Sample{"main": {CPUMilli: cpuMilli, MemBytes: memMi << 20}}}
}

func rowOf(t *testing.T, view, name string) string {
	t.Helper()
	for _, r := range rowLines(view) {
		if strings.Contains(r, name+" ") {
			return r
		}
	}
	t.Fatalf("no row for %s:\n%s", name, view)
	return ""
}

// wide is a terminal wide enough for every column.
var wide = tea.WindowSizeMsg{Width: 220, Height: 40}

func usagePods() SnapshotMsg {
	return snapshot(true,
		mkPod("api", "api-0", limits("500m", "256Mi")),
		mkPod("api", "api-1", limits("1", "1Gi")),
		mkPod("worker", "worker-0"), // no limits
	)
}

func TestUsageColumnsShowValueAndShareOfLimit(t *testing.T) {
	t.Parallel()
	m := newModel(t, wide, usagePods(), usageMsg(now, used("api-0", 250, 251), used("api-1", 900, 100), used("worker-0", 5, 10)))
	v := m.View().Content
	for _, want := range []string{"CPU", "%CPU/L", "MEM", "%MEM/L", "! = memory above 90% of limit"} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
	cases := map[string][]string{
		"api-0":    {"250m", "50%", "251Mi", "98%!"},
		"api-1":    {"900m", "90%", "100Mi", "9%"},
		"worker-0": {"5m", "n/a", "10Mi", "n/a"},
	}
	for name, want := range cases {
		row := rowOf(t, v, name)
		fields := strings.Fields(row)
		joined := " " + strings.Join(fields, " ") + " "
		if !strings.Contains(joined, " "+strings.Join(want, " ")+" ") {
			t.Errorf("%s row = %q, want the cells %v in order", name, row, want)
		}
	}
	// 900m of 1 CPU is 90% CPU: only memory is marked.
	if strings.Contains(rowOf(t, v, "api-1"), "!") {
		t.Errorf("api-1 uses 9%% of its memory limit; it must not be marked: %q", rowOf(t, v, "api-1"))
	}
}

func TestUsageColumnsHiddenWithANoteWithoutMetricsAPI(t *testing.T) {
	t.Parallel()
	m := newModel(t, wide, usagePods())
	if v := m.View().Content; strings.Contains(v, "%MEM/L") || strings.Contains(v, "hidden") {
		t.Errorf("before any reading: no usage columns and no note:\n%s", v)
	}
	m = send(m, UsageMsg{usage.Snapshot{Note: "no metrics API (metrics.k8s.io): install metrics-server to see CPU and memory"}})
	v := m.View().Content
	if strings.Contains(v, "%MEM/L") || strings.Contains(v, "%CPU/L") {
		t.Errorf("usage columns shown without a metrics API:\n%s", v)
	}
	if !strings.Contains(v, "CPU/MEM hidden: no metrics API (metrics.k8s.io): install metrics-server") {
		t.Errorf("the header must say why the columns are hidden:\n%s", v)
	}
	// metrics-server comes up later: columns appear.
	m = send(m, usageMsg(now, used("api-0", 1, 1)))
	if v := m.View().Content; !strings.Contains(v, "%MEM/L") || strings.Contains(v, "hidden") {
		t.Errorf("columns should appear once the API answers:\n%s", v)
	}
}

func TestSortByUsage(t *testing.T) {
	t.Parallel()
	m := newModel(t, wide, usagePods(), usageMsg(now, used("api-0", 250, 251), used("api-1", 900, 100), used("worker-0", 5, 10)))
	order := func(m Model) string {
		var names []string
		for _, r := range rowLines(m.View().Content) {
			for _, n := range []string{"api-0", "api-1", "worker-0"} {
				if strings.Contains(r, n+" ") {
					names = append(names, n)
				}
			}
		}
		return strings.Join(names, ",")
	}
	for _, tc := range []struct {
		keys []string
		want string
	}{
		{[]string{"C"}, "api-1,api-0,worker-0"},
		{[]string{"M"}, "api-0,api-1,worker-0"},
		{[]string{"M", "M"}, "worker-0,api-1,api-0"},
		// %MEM/L: 98%, 9%, n/a (no limit sorts after any share).
		{[]string{"L"}, "api-0,api-1,worker-0"},
	} {
		mm := m
		for _, k := range tc.keys {
			mm = send(mm, key(k))
		}
		if got := order(mm); got != tc.want {
			t.Errorf("keys %v: order %s, want %s", tc.keys, got, tc.want)
		}
	}
	if v := send(m, key("L")).View().Content; !strings.Contains(v, "sort %mem/limit") {
		t.Errorf("header should name the sort:\n%s", v)
	}
}

func TestOOMCauseShowsThePeakOfTheKilledRun(t *testing.T) {
	t.Parallel()
	killed := now.Add(-4 * time.Minute) // oomLoop's FinishedAt
	started := killed.Add(-time.Minute)
	oomWithStart := func(p *corev1.Pod) {
		oomLoop(3)(p)
		p.Status.ContainerStatuses[0].LastTerminationState.Terminated.StartedAt = metav1.NewTime(started)
	}
	m := newModel(t, wide, snapshot(true, mkPod("worker", "worker-0", oomWithStart)))
	// Readings before the run, during it, and after the restart.
	m = send(m,
		usageMsg(started.Add(-time.Minute), used("worker-0", 1, 255)),
		usageMsg(started.Add(20*time.Second), used("worker-0", 1, 200)),
		usageMsg(started.Add(40*time.Second), used("worker-0", 1, 251)),
		usageMsg(now, used("worker-0", 1, 30)),
	)
	row := rowOf(t, m.View().Content, "worker-0")
	if !strings.Contains(row, "OOMKilled (limit 256Mi, peak 251Mi)") {
		t.Errorf("want the peak of the killed run (251Mi, not 255Mi from before it):\n%s", row)
	}
	// The filter sees the same text.
	m = send(m, key("/"))
	m = send(m, typeText("peak 251")...)
	if rows := rowLines(m.View().Content); len(rows) != 1 {
		t.Errorf("filter on the peak text: %d rows", len(rows))
	}
}

func TestOOMCauseWithoutReadingsOfTheRunHasNoPeak(t *testing.T) {
	t.Parallel()
	m := newModel(t, wide, snapshot(true, mkPod("worker", "worker-0", oomLoop(3))),
		usageMsg(now, used("worker-0", 1, 30)))
	row := rowOf(t, m.View().Content, "worker-0")
	if !strings.Contains(row, "OOMKilled (limit 256Mi)") || strings.Contains(row, "peak") {
		t.Errorf("a reading taken after the kill is not the killed run's peak:\n%s", row)
	}
}

func TestDetailsShowContainerUsage(t *testing.T) {
	t.Parallel()
	m := newModel(t, wide, usagePods(), usageMsg(now.Add(-time.Minute), used("api-0", 100, 255)), usageMsg(now, used("api-0", 250, 251)), key("enter"))
	v := m.View().Content
	want := "usage: cpu 250m (50% of limit)  memory 251Mi (98% of limit)  peak seen 255Mi  ! above 90% of the memory limit"
	if !strings.Contains(v, want) {
		t.Errorf("details lack %q:\n%s", want, v)
	}
}
