package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/emmdev/emmdev/internal/watch"
)

// widths of the variable columns, measured over the filtered rows when they
// change (not per frame).
type widths struct {
	ns, app, name, status, node, cause int
	allNS                              bool
}

const restartsWidth = 15 // "123 (3h12m ago)"

func measure(pods []watch.Pod, rows []int, allNS bool) widths {
	w := widths{ns: len("NAMESPACE"), app: len("APP"), name: len("NAME"), status: len("STATUS"),
		node: len("NODE"), cause: len("LAST RESTART CAUSE"), allNS: allNS}
	for _, i := range rows {
		p := &pods[i]
		w.ns = max(w.ns, len(p.Namespace))
		w.app = max(w.app, len(p.App))
		w.name = max(w.name, len(p.Name))
		w.status = max(w.status, len(p.Status))
		w.node = max(w.node, len(p.Node))
		w.cause = max(w.cause, ansi.StringWidth(p.LastCause))
	}
	w.ns, w.app, w.name = min(w.ns, 24), min(w.app, 24), min(w.name, 56)
	w.status, w.node, w.cause = min(w.status, 28), min(w.node, 24), min(w.cause, 72)
	return w
}

func (m Model) render() string {
	switch m.screen {
	case screenHelp:
		return m.fit(helpText())
	case screenDetails:
		return m.renderDetails()
	}
	var b strings.Builder
	now := m.opts.Now()
	b.WriteString(m.headerLines())
	l := m.layout()
	b.WriteString(m.cut(m.st.paint(m.st.header, m.columns(l, m.headerCells()))))
	b.WriteByte('\n')
	if len(m.rows) == 0 {
		b.WriteString(m.cut(m.emptyText()))
		b.WriteByte('\n')
	}
	end := min(m.offset+m.visibleRows(), len(m.rows))
	for i := m.offset; i < end; i++ {
		b.WriteString(m.row(l, i, now))
		b.WriteByte('\n')
	}
	b.WriteString(m.footer())
	return b.String()
}

func (m Model) headerLines() string {
	where := "namespace " + m.nsLabel()
	if m.opts.Selector != "" {
		where += " · selector " + m.opts.Selector
	}
	ctx := m.opts.Context
	if ctx == "" {
		ctx = "(none)"
	}
	line1 := m.st.paint(m.st.title, "emmdev status") + " · context " + ctx + " · " + where + " · " + m.connText()
	c := m.counts
	line2 := fmt.Sprintf("pods %d  ready %d  not ready %d  restarts since start %d  ·  sort %s",
		c.pods, c.ready, c.notReady, c.restartsSinceStart, m.sortLabel())
	if c.notReady > 0 {
		line2 = fmt.Sprintf("pods %d  ready %d  %s  restarts since start %d  ·  sort %s",
			c.pods, c.ready, m.st.paint(m.st.bad, fmt.Sprintf("not ready %d", c.notReady)), c.restartsSinceStart, m.sortLabel())
	}
	if m.filter != "" {
		line2 += fmt.Sprintf("  ·  filter %q (%d shown)", m.filter, len(m.rows))
	}
	return m.cut(line1) + "\n" + m.cut(line2) + "\n"
}

func (m Model) nsLabel() string {
	if m.opts.Namespace == "" {
		return "(all)"
	}
	return m.opts.Namespace
}

func (m Model) sortLabel() string {
	if m.desc {
		return m.sort.String() + " ↓"
	}
	return m.sort.String() + " ↑"
}

func (m Model) connText() string {
	c := m.snap.Conn
	text := m.phaseText(c)
	if c.Note != "" {
		text += " " + m.st.paint(m.st.dim, "("+c.Note+")")
	}
	return text
}

func (m Model) phaseText(c watch.Conn) string {
	switch c.Phase {
	case watch.Connected:
		return m.st.paint(m.st.good, "● connected")
	case watch.Connecting:
		return m.st.paint(m.st.warn, "○ connecting")
	case watch.Reconnecting:
		return m.st.paint(m.st.warn, "◌ "+c.String())
	}
	return m.st.paint(m.st.bad, "✗ "+c.String())
}

func (m Model) emptyText() string {
	switch {
	case m.snap.Conn.Phase == watch.Forbidden:
		return m.st.paint(m.st.bad, m.snap.Conn.String())
	case !m.snap.Synced:
		return "  loading pods…"
	case m.filter != "":
		return fmt.Sprintf("  no pods match %q (esc clears the filter)", m.filter)
	}
	return "  no pods in " + m.nsLabel()
}

func (m Model) headerCells() []string {
	return []string{"NAMESPACE", "APP", "NAME", "READY", "STATUS", "RESTARTS", "LAST RESTART CAUSE", "AGE", "NODE"}
}

// layout decides which columns fit. On a narrow terminal NODE, APP, AGE and
// NAMESPACE go first (in that order) so the cause of the last restart, the
// column people open this screen for, keeps its room longest.
type layout struct {
	ns, app, age, node bool
	cause              int
}

const minCause = 24

func (m Model) layout() layout {
	w := m.widths
	l := layout{ns: w.allNS, app: true, age: true, node: true}
	need := func() int {
		n := 3 + w.name + 2 + 5 + 2 + w.status + 2 + restartsWidth + 2
		if l.ns {
			n += w.ns + 2
		}
		if l.app {
			n += w.app + 2
		}
		if l.age {
			n += 6 + 2
		}
		if l.node {
			n += w.node
		}
		return n
	}
	// room is what is left for the cause; the cause's own 2-space gap only
	// counts when a column follows it.
	room := func() int {
		if l.age || l.node {
			return m.width - need() - 2
		}
		return m.width - need()
	}
	for _, drop := range []*bool{&l.node, &l.app, &l.age, &l.ns} {
		if room() >= min(w.cause, minCause) {
			break
		}
		*drop = false
	}
	l.cause = min(w.cause, max(8, room()))
	return l
}

// columns lays cells out in the measured widths; the gutter holds the
// cursor and the restart marker so both survive NO_COLOR.
func (m Model) columns(l layout, c []string) string {
	w := m.widths
	var b strings.Builder
	b.Grow(m.width + 16)
	gutter := "  "
	if len(c) == 10 {
		gutter, c = c[9], c[:9]
	}
	b.WriteString(gutter)
	b.WriteByte(' ')
	if l.ns {
		pad(&b, c[0], w.ns)
	}
	if l.app {
		pad(&b, c[1], w.app)
	}
	pad(&b, c[2], w.name)
	pad(&b, c[3], 5)
	pad(&b, c[4], w.status)
	pad(&b, c[5], restartsWidth)
	pad(&b, c[6], l.cause)
	if l.age {
		pad(&b, c[7], 6)
	}
	if l.node {
		b.WriteString(c[8])
	}
	return strings.TrimRight(b.String(), " ")
}

func pad(b *strings.Builder, s string, w int) {
	if ansi.StringWidth(s) > w {
		s = ansi.Truncate(s, w, "…")
	}
	b.WriteString(s)
	for n := ansi.StringWidth(s); n < w+2; n++ {
		b.WriteByte(' ')
	}
}

func (m Model) row(l layout, i int, now time.Time) string {
	p := &m.snap.Pods[m.rows[i]]
	gutter := []byte("  ")
	if i == m.cursor {
		gutter[0] = '>'
	}
	rose := m.rose[p.Object.UID]
	g := string(gutter)
	if rose {
		g = g[:1] + "↑"
	}
	line := m.cut(m.columns(l, []string{p.Namespace, p.App, p.Name, Ready(p.Summary), p.Status,
		FormatRestarts(p.Summary, now), p.LastCause, Age(p.Created, now), p.Node, g}))
	switch {
	case i == m.cursor:
		return m.st.paint(m.st.selected, line)
	case rose:
		return m.st.paint(m.st.rose, line)
	case p.NotReady():
		return m.st.paint(m.st.bad, line)
	}
	return line
}

func (m Model) footer() string {
	if m.filtering {
		return m.cut("/" + m.filter + "█  (enter keeps, esc clears)")
	}
	pos := "0/0"
	if n := len(m.rows); n > 0 {
		pos = fmt.Sprintf("%d-%d/%d", m.offset+1, min(m.offset+m.visibleRows(), n), n)
	}
	return m.cut(m.st.paint(m.st.dim, "["+pos+"]  ↑ = restarted since start  ? help  / filter  s sort  enter details  q quit"))
}

// cut keeps a line within the terminal width.
func (m Model) cut(s string) string {
	if ansi.StringWidth(s) <= m.width {
		return s
	}
	return ansi.Truncate(s, m.width, "…")
}

// fit cuts a block of text to the window.
func (m Model) fit(text string) string {
	lines := strings.Split(text, "\n")
	if len(lines) > m.height {
		lines = lines[:m.height]
	}
	for i, l := range lines {
		lines[i] = m.cut(l)
	}
	return strings.Join(lines, "\n")
}
