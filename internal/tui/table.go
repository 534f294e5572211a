package tui

import (
	"cmp"
	"slices"
	"strings"

	"github.com/emmdev/emmdev/internal/watch"
)

type sortKey int

const (
	sortApp sortKey = iota // default: pods of one app together
	sortName
	sortStatus
	sortRestarts
	sortAge
	sortNode
	sortCPU
	sortMem
	sortMemPct
	numSortKeys
)

func (k sortKey) String() string {
	return [...]string{"app", "name", "status", "restarts", "age", "node", "cpu", "memory", "%mem/limit"}[k]
}

// rebuild recomputes the visible row order after a snapshot, a filter
// keystroke or a sort change, keeping the same pod selected.
func (m *Model) rebuild() {
	pods := m.snap.Pods
	m.rows = m.rows[:0]
	needle := strings.ToLower(m.filter)
	for i := range pods {
		if needle == "" || matches(&pods[i], m.cause(i), needle) {
			m.rows = append(m.rows, i)
		}
	}
	cmpFn := m.comparer(m.sort)
	// Snapshot pods are sorted by namespace/name and rows index them in that
	// order, so the index is the tie-breaker and the order is total.
	slices.SortFunc(m.rows, func(a, b int) int {
		r := cmpFn(a, b)
		if m.desc {
			r = -r
		}
		if r != 0 {
			return r
		}
		return cmp.Compare(a, b)
	})
	m.widths = m.measure()
	if m.selected != "" {
		for i, r := range m.rows {
			if pods[r].Key() == m.selected {
				m.cursor = i
				break
			}
		}
	}
	m.clampCursor()
}

func matches(p *watch.Pod, cause, needle string) bool {
	for _, f := range []string{p.Name, p.App, p.Status, p.Node, cause, p.Namespace} {
		if containsFold(f, needle) {
			return true
		}
	}
	return false
}

// containsFold is strings.Contains ignoring ASCII case without allocating.
func containsFold(s, lowerNeedle string) bool {
	n := len(lowerNeedle)
	for i := 0; i+n <= len(s); i++ {
		ok := true
		for j := 0; j < n; j++ {
			c := s[i+j]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != lowerNeedle[j] {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// comparer orders two rows (indices into snap.Pods) by k.
func (m *Model) comparer(k sortKey) func(a, b int) int {
	pods := m.snap.Pods
	switch k {
	case sortName:
		return func(a, b int) int { return cmp.Compare(pods[a].Name, pods[b].Name) }
	case sortStatus:
		// Problems first: not-ready pods, then by status text.
		return func(a, b int) int {
			return cmp.Or(cmpBool(pods[b].NotReady(), pods[a].NotReady()), cmp.Compare(pods[a].Status, pods[b].Status))
		}
	case sortRestarts:
		return func(a, b int) int { return cmp.Compare(pods[b].Restarts, pods[a].Restarts) }
	case sortAge:
		return func(a, b int) int { return pods[a].Created.Compare(pods[b].Created) }
	case sortNode:
		return func(a, b int) int { return cmp.Compare(pods[a].Node, pods[b].Node) }
	case sortCPU, sortMem, sortMemPct:
		// Biggest first, as for restarts; pods without a reading last.
		val := func(i int) float64 {
			u := m.podUsage[i]
			switch {
			case !u.ok:
				return -2
			case k == sortCPU:
				return float64(u.total.CPUMilli)
			case k == sortMem:
				return float64(u.total.MemBytes)
			}
			return u.total.MemLimitPct
		}
		return func(a, b int) int { return cmp.Compare(val(b), val(a)) }
	}
	return func(a, b int) int { return cmp.Compare(pods[a].App, pods[b].App) }
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// visibleRows is how many table rows fit under the header and above the footer.
func (m *Model) visibleRows() int {
	return max(1, m.height-4)
}

func (m *Model) clampCursor() {
	n := len(m.rows)
	m.cursor = min(max(m.cursor, 0), max(n-1, 0))
	h := m.visibleRows()
	if m.cursor < m.offset {
		m.offset = m.cursor
	}
	if m.cursor >= m.offset+h {
		m.offset = m.cursor - h + 1
	}
	m.offset = min(max(m.offset, 0), max(n-h, 0))
	if n > 0 {
		m.selected = m.snap.Pods[m.rows[m.cursor]].Key()
	}
}

func (m *Model) move(delta int) {
	m.cursor += delta
	m.clampCursor()
}

// current returns the selected pod, if any.
func (m *Model) current() (watch.Pod, bool) {
	if len(m.rows) == 0 {
		return watch.Pod{}, false
	}
	return m.snap.Pods[m.rows[m.cursor]], true
}

// byKey finds a pod by "namespace/name" (details follow a pod across
// snapshots even when the table order changes).
func (m *Model) byKey(key string) (watch.Pod, bool) {
	for _, p := range m.snap.Pods {
		if p.Key() == key {
			return p, true
		}
	}
	return watch.Pod{}, false
}
