package tui

import (
	"charm.land/lipgloss/v2"
)

// styles hold the few colours used; with colour off every style is a no-op
// so NO_COLOR output carries no escape codes at all.
type styles struct {
	on                                bool
	title, dim, bad, warn, good, rose lipgloss.Style
	selected, header                  lipgloss.Style
}

func newStyles(color bool) styles {
	if !color {
		return styles{}
	}
	return styles{
		on:       true,
		title:    lipgloss.NewStyle().Bold(true),
		dim:      lipgloss.NewStyle().Faint(true),
		bad:      lipgloss.NewStyle().Foreground(lipgloss.Color("1")),
		warn:     lipgloss.NewStyle().Foreground(lipgloss.Color("3")),
		good:     lipgloss.NewStyle().Foreground(lipgloss.Color("2")),
		rose:     lipgloss.NewStyle().Foreground(lipgloss.Color("3")).Bold(true),
		selected: lipgloss.NewStyle().Reverse(true),
		header:   lipgloss.NewStyle().Bold(true).Underline(true),
	}
}

func (s styles) paint(st lipgloss.Style, text string) string {
	if !s.on || text == "" {
		return text
	}
	return st.Render(text)
}
