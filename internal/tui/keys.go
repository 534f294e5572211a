package tui

import (
	tea "charm.land/bubbletea/v2"
)

func (m Model) onKey(k tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	key := k.String()
	if key == "ctrl+c" {
		m.closeLogs()
		return m, tea.Quit
	}
	if m.filtering {
		m.filterKey(k)
		return m, nil
	}
	if m.screen == screenDetails && m.logs != nil && m.logs.searching {
		m.logSearchKey(k)
		return m, nil
	}
	switch m.screen {
	case screenHelp:
		switch key {
		case "q":
			return m, tea.Quit
		case "esc", "?", "enter":
			m.screen = screenTable
		}
		return m, nil
	case screenDetails:
		if m.opts.Logs != nil {
			return m.detailsLogKey(key)
		}
		switch key {
		case "q":
			return m, tea.Quit
		case "esc", "enter", "backspace":
			m.screen = screenTable
		case "?":
			m.screen = screenHelp
		case "down", "j":
			m.detailOffset++
		case "up", "k":
			m.detailOffset = max(0, m.detailOffset-1)
		case "g", "home":
			m.detailOffset = 0
		}
		return m, nil
	}
	return m.tableKey(key)
}

func (m Model) tableKey(key string) (tea.Model, tea.Cmd) {
	page := m.visibleRows()
	switch key {
	case "q":
		m.closeLogs()
		return m, tea.Quit
	case "down", "j":
		m.move(1)
	case "up", "k":
		m.move(-1)
	case "pgdown", "ctrl+f", "space":
		m.move(page)
	case "pgup", "ctrl+b":
		m.move(-page)
	case "g", "home":
		m.move(-len(m.rows))
	case "G", "end":
		m.move(len(m.rows))
	case "/":
		m.filtering = true
	case "esc":
		if m.filter != "" {
			m.filter = ""
			m.rebuild()
		}
	case "s":
		m.sort = (m.sort + 1) % numSortKeys
		m.desc = false
		m.rebuild()
	case "S":
		m.desc = !m.desc
		m.rebuild()
	case "N":
		m.setSort(sortName)
	case "A":
		m.setSort(sortApp)
	case "R":
		m.setSort(sortRestarts)
	case "T":
		m.setSort(sortStatus)
	case "O":
		m.setSort(sortNode)
	case "Y":
		m.setSort(sortAge)
	case "C":
		m.setSort(sortCPU)
	case "M":
		m.setSort(sortMem)
	case "L":
		m.setSort(sortMemPct)
	case "enter":
		if p, ok := m.current(); ok {
			m.screen, m.detailKey, m.detailOffset = screenDetails, p.Key(), 0
			return m, m.openLogs(p.Object, logContainer(p.Object), false)
		}
	case "?":
		m.screen = screenHelp
	}
	return m, nil
}

// setSort selects a column; pressing the same column again flips direction,
// as in k9s.
func (m *Model) setSort(k sortKey) {
	if m.sort == k {
		m.desc = !m.desc
	} else {
		m.sort, m.desc = k, false
	}
	m.rebuild()
}

// filterKey edits the live filter: every keystroke re-filters, enter keeps
// the filter and returns to the table, esc clears it.
func (m *Model) filterKey(k tea.KeyPressMsg) {
	switch k.String() {
	case "esc":
		m.filtering, m.filter = false, ""
	case "enter":
		m.filtering = false
		return
	case "backspace":
		if r := []rune(m.filter); len(r) > 0 {
			m.filter = string(r[:len(r)-1])
		}
	default:
		if k.Text == "" {
			return
		}
		m.filter += k.Text
	}
	m.cursor, m.offset = 0, 0
	m.selected = ""
	m.rebuild()
}

// detailsLogKey handles the details view with its log pane: j/k and the
// page keys scroll the log (G follows its end again), J/K scroll the pod
// information above it, p switches between the current and the previous
// container instance, c to the next container, / searches the log.
func (m Model) detailsLogKey(key string) (tea.Model, tea.Cmd) {
	lp := m.logs
	page := max(1, m.logHeight()-1)
	switch key {
	case "q":
		m.closeLogs()
		return m, tea.Quit
	case "esc", "enter", "backspace":
		if lp != nil && lp.search != "" && key == "esc" {
			lp.search = ""
			return m, nil
		}
		m.closeLogs()
		m.logs, m.screen = nil, screenTable
	case "?":
		m.screen = screenHelp
	case "down", "j":
		if lp != nil {
			lp.scroll = max(0, lp.scroll-1)
		}
	case "up", "k":
		if lp != nil {
			lp.scroll++
		}
	case "pgdown", "ctrl+f", "space":
		if lp != nil {
			lp.scroll = max(0, lp.scroll-page)
		}
	case "pgup", "ctrl+b":
		if lp != nil {
			lp.scroll += page
		}
	case "G", "end":
		if lp != nil {
			lp.scroll = 0
		}
	case "g", "home":
		if lp != nil {
			lp.scroll = lp.ring.Len()
		}
	case "J":
		m.detailOffset++
	case "K":
		m.detailOffset = max(0, m.detailOffset-1)
	case "/":
		if lp != nil {
			lp.searching = true
		}
	case "p", "c", "r":
		p, ok := m.byKey(m.detailKey)
		if !ok {
			return m, nil
		}
		container, previous := logContainer(p.Object), key == "p"
		if lp != nil {
			container, previous = lp.container, lp.previous
			switch key {
			case "p":
				previous = !previous
			case "c":
				container, previous = nextContainer(p.Object, container), false
			}
		}
		return m, m.openLogs(p.Object, container, previous)
	}
	return m, nil
}

// logSearchKey edits the log search: every keystroke re-filters, enter
// keeps it, esc clears it.
func (m *Model) logSearchKey(k tea.KeyPressMsg) {
	lp := m.logs
	switch k.String() {
	case "esc":
		lp.searching, lp.search = false, ""
	case "enter":
		lp.searching = false
	case "backspace":
		if r := []rune(lp.search); len(r) > 0 {
			lp.search = string(r[:len(r)-1])
		}
	default:
		lp.search += k.Text
	}
	lp.scroll = 0
}
