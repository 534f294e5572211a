package tui

import (
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/emmdev/emmdev/internal/podstatus"
	"github.com/emmdev/emmdev/internal/usage"
	"github.com/emmdev/emmdev/internal/watch"
)

// UsageMsg carries a reading of the metrics API into the model.
type UsageMsg struct{ usage.Snapshot }

// History bounds: 32 readings per container cover about five minutes at the
// poller's pace, enough to see the run before an OOM kill; containers gone
// for 15 minutes are forgotten.
const (
	historyPerContainer = 32
	historyMaxAge       = 15 * time.Minute
)

// rowUsage is what the table shows of a pod's usage, computed when a
// snapshot or a metrics reading arrives, never per frame.
type rowUsage struct {
	ok    bool // the metrics API reported this pod
	total usage.Usage
	// The four cells, formatted once per reading rather than per frame.
	cpu, cpuPct, mem, memPct string
	// cause is the pod's LastCause, with the memory peak of the killed
	// container added to an OOM kill when the history has it.
	cause string
}

func (m *Model) applyUsage(s usage.Snapshot) {
	m.metrics, m.metricsSeen = s, true
	m.hist.Record(s)
	m.computeUsage()
	m.rebuild()
}

// showUsage reports whether the usage columns are on: only while the
// metrics API answers.
func (m *Model) showUsage() bool { return m.metricsSeen && m.metrics.Available }

// computeUsage fills podUsage, parallel to snap.Pods.
func (m *Model) computeUsage() {
	pods := m.snap.Pods
	if cap(m.podUsage) < len(pods) {
		m.podUsage = make([]rowUsage, len(pods))
	}
	m.podUsage = m.podUsage[:len(pods)]
	for i := range pods {
		p := &pods[i]
		ru := rowUsage{cause: p.LastCause}
		if m.metrics.Available {
			if pm, ok := m.metrics.Pods[usage.Key{Namespace: p.Namespace, Name: p.Name}]; ok {
				ru.ok, ru.total = true, usage.PodTotal(p.Object, pm)
				u := ru.total
				ru.cpu, ru.cpuPct, ru.mem, ru.memPct = usage.CPU(u.CPUMilli), usage.Pct(u.CPULimitPct), usage.Memory(u.MemBytes), usage.MemPct(u)
			}
		}
		if m.hist.Len() > 0 && strings.Contains(p.LastCause, "OOMKilled (limit ") {
			ru.cause = m.causeWithPeak(p)
		}
		m.podUsage[i] = ru
	}
}

// causeWithPeak adds the highest memory reading of the killed container
// instance (between its start and its kill) to the OOM cause. Without a
// reading from that run the cause stays as it is: a peak from another run
// would mislead.
func (m *Model) causeWithPeak(p *watch.Pod) string {
	container, term := podstatus.LastTermination(p.Object)
	if term == nil {
		return p.LastCause
	}
	peak, ok := m.hist.PeakMemory(p.Namespace, p.Name, container, term.StartedAt.Time, term.FinishedAt.Time)
	if !ok {
		return p.LastCause
	}
	return podstatus.CauseWithPeak(p.Object, p.LastCause, usage.Memory(peak))
}

// usageCells are the four usage cells of row i of snap.Pods.
func (m *Model) usageCells(i int) (cpu, cpuPct, mem, memPct string) {
	if i >= len(m.podUsage) || !m.podUsage[i].ok {
		return "-", "-", "-", "-"
	}
	u := &m.podUsage[i]
	return u.cpu, u.cpuPct, u.mem, u.memPct
}

// cause is the cause text shown for pod i of snap.Pods.
func (m *Model) cause(i int) string {
	if i < len(m.podUsage) {
		return m.podUsage[i].cause
	}
	return m.snap.Pods[i].LastCause
}

// containerUsage is the latest reading of each container of pod.
func (m *Model) containerUsage(pod *corev1.Pod) map[string]usage.Usage {
	if !m.showUsage() {
		return nil
	}
	pm, ok := m.metrics.Pods[usage.Key{Namespace: pod.Namespace, Name: pod.Name}]
	if !ok {
		return nil
	}
	out := map[string]usage.Usage{}
	for _, c := range usage.PerContainer(pod, pm) {
		out[c.Name] = c.Usage
	}
	return out
}

// usageLine is the details line of one container's usage.
func (m *Model) usageLine(ns, pod, container string, u usage.Usage) string {
	s := "usage: cpu " + usage.CPU(u.CPUMilli) + " (" + usage.Pct(u.CPULimitPct) + " of limit)  memory " +
		usage.Memory(u.MemBytes) + " (" + usage.Pct(u.MemLimitPct) + " of limit)"
	if peak, ok := m.hist.PeakMemory(ns, pod, container, time.Time{}, time.Time{}); ok {
		s += "  peak seen " + usage.Memory(peak)
	}
	if u.NearMemLimit {
		s += "  ! above 90% of the memory limit"
	}
	return s
}
