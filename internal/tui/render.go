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

// Fixed widths of the usage columns: "12000m", "123456Mi", "1000%!".
const (
	cpuWidth = 6
	memWidth = 8
	pctWidth = 6
)

func (m *Model) measure() widths {
	pods := m.snap.Pods
	w := widths{ns: len("NAMESPACE"), app: len("APP"), name: len("NAME"), status: len("STATUS"),
		node: len("NODE"), cause: len("LAST RESTART CAUSE"), allNS: m.opts.Namespace == ""}
	for _, i := range m.rows {
		p := &pods[i]
		w.ns = max(w.ns, len(p.Namespace))
		w.app = max(w.app, len(p.App))
		w.name = max(w.name, len(p.Name))
		w.status = max(w.status, len(p.Status))
		w.node = max(w.node, len(p.Node))
		w.cause = max(w.cause, width(m.cause(i)))
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
	hc := headerCells()
	b.WriteString(m.cut(m.st.paint(m.st.header, m.columns(l, &hc))))
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
	if m.metricsSeen && !m.metrics.Available {
		line2 += "  ·  " + m.st.paint(m.st.dim, "CPU/MEM hidden: "+m.metrics.Note)
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

// cells of one table line; the gutter holds the cursor and the restart
// marker so both survive NO_COLOR.
type cells struct {
	gutter, ns, app, name, ready, status, restarts string
	cpu, cpuPct, mem, memPct                       string
	cause, age, node                               string
}

func headerCells() cells {
	return cells{gutter: "  ", ns: "NAMESPACE", app: "APP", name: "NAME", ready: "READY", status: "STATUS",
		restarts: "RESTARTS", cpu: "CPU", cpuPct: "%CPU/L", mem: "MEM", memPct: "%MEM/L",
		cause: "LAST RESTART CAUSE", age: "AGE", node: "NODE"}
}

// layout decides which columns fit. On a narrow terminal NODE, APP, AGE,
// NAMESPACE, then CPU and MEM go first (in that order) so the cause of the
// last restart, the column people open this screen for, keeps its room
// longest.
type layout struct {
	ns, app, age, node, cpu, mem bool
	cause                        int
}

const minCause = 24

func (m Model) layout() layout {
	w := m.widths
	on := m.showUsage()
	l := layout{ns: w.allNS, app: true, age: true, node: true, cpu: on, mem: on}
	need := func() int {
		n := 3 + w.name + 2 + 5 + 2 + w.status + 2 + restartsWidth + 2
		if l.ns {
			n += w.ns + 2
		}
		if l.app {
			n += w.app + 2
		}
		if l.cpu {
			n += cpuWidth + 2 + pctWidth + 2
		}
		if l.mem {
			n += memWidth + 2 + pctWidth + 2
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
	for _, drop := range []*bool{&l.node, &l.app, &l.age, &l.ns, &l.cpu, &l.mem} {
		if room() >= min(w.cause, minCause) {
			break
		}
		*drop = false
	}
	l.cause = min(w.cause, max(8, room()))
	return l
}

// columns lays cells out in the measured widths.
func (m Model) columns(l layout, c *cells) string {
	w := m.widths
	var b strings.Builder
	b.Grow(m.width + 16)
	b.WriteString(c.gutter)
	b.WriteByte(' ')
	if l.ns {
		pad(&b, c.ns, w.ns)
	}
	if l.app {
		pad(&b, c.app, w.app)
	}
	pad(&b, c.name, w.name)
	pad(&b, c.ready, 5)
	pad(&b, c.status, w.status)
	pad(&b, c.restarts, restartsWidth)
	if l.cpu {
		pad(&b, c.cpu, cpuWidth)
		pad(&b, c.cpuPct, pctWidth)
	}
	if l.mem {
		pad(&b, c.mem, memWidth)
		pad(&b, c.memPct, pctWidth)
	}
	pad(&b, c.cause, l.cause)
	if l.age {
		pad(&b, c.age, 6)
	}
	if l.node {
		b.WriteString(c.node)
	}
	return strings.TrimRight(b.String(), " ")
}

func pad(b *strings.Builder, s string, w int) {
	n := width(s)
	if n > w {
		s = ansi.Truncate(s, w, "…")
		n = width(s)
	}
	b.WriteString(s)
	for ; n < w+2; n++ {
		b.WriteByte(' ')
	}
}

// width is the display width of s; plain ASCII (most cells) is its length,
// without the grapheme and escape-code walk of ansi.StringWidth.
func width(s string) int {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x80 || c < 0x20 {
			return ansi.StringWidth(s)
		}
	}
	return len(s)
}

func (m Model) row(l layout, i int, now time.Time) string {
	idx := m.rows[i]
	p := &m.snap.Pods[idx]
	gutter := []byte("  ")
	if i == m.cursor {
		gutter[0] = '>'
	}
	rose := m.rose[p.Object.UID]
	g := string(gutter)
	if rose {
		g = g[:1] + "↑"
	}
	c := cells{gutter: g, ns: p.Namespace, app: p.App, name: p.Name, ready: Ready(p.Summary), status: p.Status,
		restarts: FormatRestarts(p.Summary, now), cause: m.cause(idx), age: Age(p.Created, now), node: p.Node}
	near := false
	if l.cpu || l.mem {
		c.cpu, c.cpuPct, c.mem, c.memPct = m.usageCells(idx)
		near = idx < len(m.podUsage) && m.podUsage[idx].ok && m.podUsage[idx].total.NearMemLimit
	}
	plain := i != m.cursor && !rose && !p.NotReady()
	if near && plain {
		// Only the cell: a whole line in red means "not ready" here.
		c.memPct = m.st.paint(m.st.bad, c.memPct)
	}
	line := m.cut(m.columns(l, &c))
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
	marks := "↑ = restarted since start"
	if m.showUsage() {
		marks += "  ! = memory above 90% of limit"
	}
	return m.cut(m.st.paint(m.st.dim, "["+pos+"]  "+marks+"  ? help  / filter  s sort  enter details  q quit"))
}

// cut keeps a line within the terminal width.
func (m Model) cut(s string) string {
	if width(s) <= m.width {
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
