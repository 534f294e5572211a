package tui

import (
	"fmt"
	"testing"

	tea "charm.land/bubbletea/v2"
	corev1 "k8s.io/api/core/v1"
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
