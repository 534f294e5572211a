// Package tui is the bubbletea v2 screen of `emmdev status`: a live pod
// table fed by watch.Snapshot messages, with filter, sort, details and help.
// It renders only the rows that fit the window, so 5,000 pods stay fast, and
// it has no timer: it redraws only when a snapshot, a key or a resize arrives.
package tui

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"
	"k8s.io/apimachinery/pkg/types"

	"github.com/emmdev/emmdev/internal/usage"
	"github.com/emmdev/emmdev/internal/watch"
)

// Options configure the screen.
type Options struct {
	Context   string // kubeconfig context, for the header
	Namespace string // "" means all namespaces
	Selector  string
	Color     bool // false on NO_COLOR: highlighting falls back to symbols only
	Now       func() time.Time
	// Logs opens container logs for the details view; nil leaves the log
	// pane out.
	Logs LogSource
	// Parent ends the log streams when it is done (the command's context).
	Parent context.Context
	// LogOpenTimeout bounds opening a log (0: 10s).
	LogOpenTimeout time.Duration
}

// SnapshotMsg carries a new store snapshot into the model.
type SnapshotMsg struct{ watch.Snapshot }

type screen int

const (
	screenTable screen = iota
	screenDetails
	screenHelp
)

// Model is the bubbletea model. The zero value is not usable; call New.
type Model struct {
	opts          Options
	st            styles
	width, height int

	snap      watch.Snapshot
	baseline  map[types.UID]int32 // restart count when the pod was first seen
	baseSet   bool                // baseline taken from the first synced snapshot
	rose      map[types.UID]bool  // restart count rose since the screen opened
	counts    counts
	rows      []int // indices into snap.Pods after filter and sort
	widths    widths
	cursor    int
	offset    int
	selected  string // key of the selected pod, kept across snapshots
	filter    string
	filtering bool
	sort      sortKey
	desc      bool

	screen       screen
	detailKey    string
	detailOffset int

	// Usage from the metrics API: the last reading, whether one arrived,
	// the history for peaks (owned here, touched only in Update) and the
	// per-row values derived from them, parallel to snap.Pods.
	metrics     usage.Snapshot
	metricsSeen bool
	hist        *usage.History
	podUsage    []rowUsage

	// The log pane of the details view (nil when none is open) and the
	// generation of its stream, so lines of a stream left behind are dropped.
	logs   *logPane
	logGen uint64
}

type counts struct {
	pods, ready, notReady int
	restartsSinceStart    int64
}

// New returns a model waiting for its first snapshot.
func New(opts Options) Model {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return Model{
		opts:     opts,
		st:       newStyles(opts.Color),
		width:    120,
		height:   30,
		baseline: map[types.UID]int32{},
		rose:     map[types.UID]bool{},
		hist:     usage.NewHistory(historyPerContainer, historyMaxAge),
	}
}

// Init starts nothing: the store pushes snapshots; there is no tick.
func (m Model) Init() tea.Cmd { return nil }

// Update handles snapshots, keys and resizes.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case SnapshotMsg:
		m.applySnapshot(msg.Snapshot)
	case UsageMsg:
		m.applyUsage(msg.Snapshot)
	case logMsg:
		return m, m.applyLog(msg)
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.clampCursor()
	case tea.KeyPressMsg:
		return m.onKey(msg)
	}
	return m, nil
}

// View renders the current screen.
func (m Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.WindowTitle = "emmdev status"
	return v
}

func (m *Model) applySnapshot(s watch.Snapshot) {
	m.snap = s
	seen := make(map[types.UID]bool, len(s.Pods))
	var c counts
	for _, p := range s.Pods {
		uid := p.Object.UID
		seen[uid] = true
		base, ok := m.baseline[uid]
		if !ok {
			// Pods present when the screen opened start from their current
			// count; pods created later start from zero, so every restart counts.
			if !m.baseSet {
				base = p.Restarts
			}
			m.baseline[uid] = base
		}
		m.rose[uid] = p.Restarts > base
		if p.Restarts > base {
			c.restartsSinceStart += int64(p.Restarts - base)
		}
		c.pods++
		if p.NotReady() {
			c.notReady++
		} else {
			c.ready++
		}
	}
	if s.Synced {
		m.baseSet = true
	}
	for uid := range m.rose {
		if !seen[uid] {
			delete(m.rose, uid)
		}
	}
	m.counts = c
	m.computeUsage()
	m.rebuild()
}
