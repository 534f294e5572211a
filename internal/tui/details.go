package tui

import (
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/emmdev/emmdev/internal/podstatus"
)

// maxDetailEvents bounds the events listed; the newest are kept.
const maxDetailEvents = 15

func (m Model) renderDetails() string {
	p, ok := m.byKey(m.detailKey)
	if !ok {
		return m.fit(fmt.Sprintf("pod %s is gone (deleted)\n\nesc back · q quit", m.detailKey))
	}
	now := m.opts.Now()
	pod := p.Object
	var b strings.Builder
	fmt.Fprintf(&b, "%s  %s\n", m.st.paint(m.st.title, "pod "+p.Key()), m.connText())
	fmt.Fprintf(&b, "status %s  ready %s  restarts %s  age %s  node %s  ip %s\n",
		p.Status, Ready(p.Summary), FormatRestarts(p.Summary, now), Age(p.Created, now), orNone(p.Node), orNone(pod.Status.PodIP))
	if p.LastCause != "" {
		fmt.Fprintf(&b, "last restart cause: %s\n", p.LastCause)
	}
	b.WriteString("\n" + m.st.paint(m.st.header, "CONTAINERS") + "\n")
	statuses := map[string]corev1.ContainerStatus{}
	for _, cs := range append(pod.Status.InitContainerStatuses, pod.Status.ContainerStatuses...) {
		statuses[cs.Name] = cs
	}
	used := m.containerUsage(p.Object)
	for _, c := range append(pod.Spec.InitContainers, pod.Spec.Containers...) {
		writeContainer(&b, c, statuses[c.Name], now)
		if u, ok := used[c.Name]; ok {
			b.WriteString("    " + m.usageLine(p.Namespace, p.Name, c.Name, u) + "\n")
		}
	}
	b.WriteString("\n" + m.st.paint(m.st.header, "RECENT EVENTS") + "\n")
	evs := p.Events
	if len(evs) > maxDetailEvents {
		evs = evs[len(evs)-maxDetailEvents:]
	}
	if len(evs) == 0 {
		b.WriteString("  (none)\n")
	}
	for i := range evs {
		e := &evs[i]
		count := ""
		if e.Count > 1 {
			count = fmt.Sprintf(" (x%d)", e.Count)
		}
		fmt.Fprintf(&b, "  %-6s %-8s %-18s %s%s\n", Age(podstatus.EventTime(e), now), e.Type, e.Reason,
			firstLine(e.Message), count)
	}
	lines := strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
	off := min(m.detailOffset, max(0, len(lines)-1))
	lines = lines[off:]
	if m.opts.Logs != nil {
		return m.withLogPane(lines)
	}
	body := m.fit(strings.Join(lines, "\n"))
	if n := strings.Count(body, "\n") + 1; n >= m.height {
		body = m.fit(strings.Join(strings.Split(body, "\n")[:max(1, m.height-1)], "\n"))
	}
	return body + "\n" + m.cut(m.st.paint(m.st.dim, "j/k scroll  esc back  ? help  q quit"))
}

// infoHeight is how many lines of pod information sit above the log pane:
// at most half the screen, so the log keeps the other half.
func (m Model) infoHeight(n int) int { return max(1, min(n, m.height/2)) }

// logHeight is the log pane's height under the widest information block.
func (m Model) logHeight() int { return max(1, m.height-m.height/2-2) }

// withLogPane renders the pod information (cut to half the screen) and
// under it the log pane: a header naming the container and instance, the
// newest lines that fit (or the search matches), and the keys.
func (m Model) withLogPane(info []string) string {
	infoH := m.infoHeight(len(info))
	out := make([]string, 0, m.height)
	for _, l := range info[:infoH] {
		out = append(out, m.cut(l))
	}
	logH := max(1, m.height-infoH-2)
	lp := m.logs
	if lp == nil {
		out = append(out, m.cut(m.st.paint(m.st.header, "LOGS")), "  (p: previous container's log, c: next container)")
	} else {
		shown, matches := lp.logLines(logH)
		which := "current"
		if lp.previous {
			which = "previous"
		}
		head := fmt.Sprintf("LOGS %s (%s) · %s · %d lines", lp.container, which, lp.state, lp.ring.Len())
		if lp.ring.Dropped() > 0 {
			head += fmt.Sprintf(" (older dropped: %d)", lp.ring.Dropped())
		}
		if lp.search != "" || lp.searching {
			head += fmt.Sprintf(" · search %q: %d match", lp.search, matches)
			if matches != 1 {
				head += "es"
			}
		}
		if lp.scroll > 0 {
			head += " · scrolled (G follows)"
		}
		out = append(out, m.cut(m.st.paint(m.st.header, head)))
		if len(shown) == 0 {
			switch {
			case lp.search != "":
				shown = []string{"  (no line matches)"}
			case lp.state == "loading":
				shown = []string{"  loading…"}
			default:
				shown = []string{"  (empty)"}
			}
		}
		for _, l := range shown {
			out = append(out, m.cut(l))
		}
	}
	for len(out) < m.height-1 {
		out = append(out, "")
	}
	out = out[:max(1, m.height-1)]
	foot := "j/k scroll log  p previous/current  c container  / search  J/K scroll info  esc back  q quit"
	if lp != nil && lp.searching {
		foot = "search: " + lp.search + "█  (enter keeps, esc clears)"
	}
	return strings.Join(out, "\n") + "\n" + m.cut(m.st.paint(m.st.dim, foot))
}

func writeContainer(b *strings.Builder, c corev1.Container, cs corev1.ContainerStatus, now time.Time) {
	fmt.Fprintf(b, "  %s  image %s  ready %t  restarts %d\n", c.Name, c.Image, cs.Ready, cs.RestartCount)
	fmt.Fprintf(b, "    state: %s\n", stateText(cs.State, now))
	if t := cs.LastTerminationState.Terminated; t != nil {
		fmt.Fprintf(b, "    last termination: %s\n", terminatedText(t, now))
	}
	fmt.Fprintf(b, "    limits: %s  requests: %s\n", resources(c.Resources.Limits), resources(c.Resources.Requests))
}

func stateText(s corev1.ContainerState, now time.Time) string {
	switch {
	case s.Running != nil:
		return "Running since " + Age(s.Running.StartedAt.Time, now) + " ago"
	case s.Waiting != nil:
		msg := s.Waiting.Reason
		if s.Waiting.Message != "" {
			msg += ": " + firstLine(s.Waiting.Message)
		}
		return "Waiting " + msg
	case s.Terminated != nil:
		return "Terminated " + terminatedText(s.Terminated, now)
	}
	return "unknown (no status yet)"
}

func terminatedText(t *corev1.ContainerStateTerminated, now time.Time) string {
	s := fmt.Sprintf("%s, exit code %d", orNone(t.Reason), t.ExitCode)
	if t.Signal != 0 {
		s += fmt.Sprintf(", signal %d (%s)", t.Signal, podstatus.SignalName(int(t.Signal)))
	}
	if !t.FinishedAt.IsZero() {
		s += ", finished " + Age(t.FinishedAt.Time, now) + " ago"
	}
	if t.Message != "" {
		s += ": " + firstLine(t.Message)
	}
	return s
}

func resources(r corev1.ResourceList) string {
	if len(r) == 0 {
		return "none"
	}
	var parts []string
	for _, name := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory, corev1.ResourceEphemeralStorage} {
		if q, ok := r[name]; ok {
			parts = append(parts, string(name)+"="+q.String())
		}
	}
	return strings.Join(parts, " ")
}

func orNone(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " …"
	}
	return s
}
