package tui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	corev1 "k8s.io/api/core/v1"

	"github.com/emmdev/emmdev/internal/usage"
)

func bigSnapshot(n int) SnapshotMsg {
	pods := make([]*corev1.Pod, n)
	for i := range pods {
		var mut []func(*corev1.Pod)
		if i%7 == 0 {
			mut = append(mut, oomLoop(int32(i%5+1)))
		}
		pods[i] = mkPod(fmt.Sprintf("app-%02d", i%40), fmt.Sprintf("pod-%04d", i), mut...)
	}
	return snapshot(true, pods...)
}

// BenchmarkView5000 renders one frame of a 200x60 terminal over 5,000 pods.
func BenchmarkView5000(b *testing.B) {
	m := send(New(Options{Namespace: "agentic-ai", Color: true, Now: clock}), bigSnapshot(5000), tea.WindowSizeMsg{Width: 200, Height: 60})
	for b.Loop() {
		_ = m.View()
	}
}

// BenchmarkSnapshotUpdate5000 is the model's share of an event: taking a
// new 5,000-pod snapshot (counts, restart baselines, filter, sort).
func BenchmarkSnapshotUpdate5000(b *testing.B) {
	msg := bigSnapshot(5000)
	m := send(New(Options{Namespace: "agentic-ai", Now: clock}), msg)
	for b.Loop() {
		next, _ := m.Update(msg)
		m = next.(Model)
	}
}

// BenchmarkFilterKeystroke5000 is one keystroke of the live filter.
func BenchmarkFilterKeystroke5000(b *testing.B) {
	m := send(New(Options{Namespace: "agentic-ai", Now: clock}), bigSnapshot(5000), key("/"), key("p"), key("o"))
	for b.Loop() {
		next, _ := m.Update(key("d"))
		next, _ = next.(Model).Update(key("backspace"))
		m = next.(Model)
	}
}

// bigUsage is a metrics reading for every pod of bigSnapshot(n).
func bigUsage(n int, at time.Time) UsageMsg {
	s := usage.Snapshot{Available: true, Pods: make(map[usage.Key]usage.Pod, n)}
	for i := range n {
		p := usage.Pod{Namespace: "agentic-ai", Name: fmt.Sprintf("pod-%04d", i), Timestamp: at,
			Containers: map[string]usage.Sample{"main": {CPUMilli: int64(i % 900), MemBytes: int64(i%250+1) << 20}}}
		s.Pods[p.Key()] = p
	}
	return UsageMsg{s}
}

// BenchmarkView5000WithMetrics is BenchmarkView5000 with the usage columns
// on and the rows sorted by memory: it must stay within the same frame budget.
func BenchmarkView5000WithMetrics(b *testing.B) {
	m := send(New(Options{Namespace: "agentic-ai", Color: true, Now: clock}), bigSnapshot(5000), bigUsage(5000, now),
		tea.WindowSizeMsg{Width: 200, Height: 60}, key("M"))
	if !strings.Contains(ansi.Strip(m.View().Content), "%MEM/L") {
		b.Fatal("usage columns not shown")
	}
	for b.Loop() {
		_ = m.View()
	}
}

// BenchmarkUsageUpdate5000 is the model's share of a metrics reading at
// 5,000 pods (history, per-row usage, re-sort).
func BenchmarkUsageUpdate5000(b *testing.B) {
	m := send(New(Options{Namespace: "agentic-ai", Now: clock}), bigSnapshot(5000), key("M"))
	at := now
	for b.Loop() {
		b.StopTimer() // building the reading is the poller's work, not the model's
		at = at.Add(10 * time.Second)
		msg := bigUsage(5000, at)
		b.StartTimer()
		next, _ := m.Update(msg)
		m = next.(Model)
	}
}
