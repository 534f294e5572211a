package tui

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	corev1 "k8s.io/api/core/v1"

	"github.com/emmdev/emmdev/internal/logbuf"
	"github.com/emmdev/emmdev/internal/podstatus"
)

// LogRequest asks for one container's log, as `kubectl logs` would.
type LogRequest struct {
	Namespace, Pod, Container string
	// Previous asks for the last terminated instance (kubectl logs -p): the
	// crash's last words.
	Previous  bool
	Follow    bool
	TailLines int64
}

// LogSource opens a container log; `emmdev status` reads pods/log through
// the API server. The stream must end when ctx is cancelled.
type LogSource func(ctx context.Context, r LogRequest) (io.ReadCloser, error)

// Bounds of the log pane: what is asked for, what is kept per container.
const (
	logTailLines   = 500
	logMaxLines    = 2000
	logMaxBytes    = 1 << 20
	logOpenTimeout = 10 * time.Second
	logBatch       = 256 // lines per message into the model: one redraw each
)

// logPane is the log shown at the bottom of the details view. It is shared
// by the copies of the model and only touched in Update and View, which
// bubbletea runs on one goroutine.
type logPane struct {
	pod       string // "namespace/name"
	container string
	previous  bool
	ring      *logbuf.Ring
	gen       uint64
	cancel    context.CancelFunc
	state     string // "loading", "following", "end of the last 500 lines", or an error
	scroll    int    // lines up from the bottom; 0 follows the end
	search    string
	searching bool
}

// logEvent is one line, the stream being open, or its end with its error.
type logEvent struct {
	line   string
	opened bool
	end    bool
	err    error
}

// logMsg carries a batch of lines (or the end) of stream gen into Update.
type logMsg struct {
	gen    uint64
	lines  []string
	opened bool
	end    bool
	err    error
	ch     <-chan logEvent
}

// openLogs starts streaming the pane's container and returns the command
// that delivers the first batch. An older stream is cancelled first.
func (m *Model) openLogs(pod *corev1.Pod, container string, previous bool) tea.Cmd {
	m.closeLogs()
	if m.opts.Logs == nil || pod == nil {
		return nil
	}
	m.logGen++
	lp := &logPane{pod: pod.Namespace + "/" + pod.Name, container: container, previous: previous,
		ring: logbuf.New(logMaxLines, logMaxBytes), gen: m.logGen, state: "loading"}
	if m.logs != nil {
		lp.search = m.logs.search // a search survives switching container or instance
	}
	parent := m.opts.Parent
	if parent == nil {
		parent = context.Background()
	}
	ctx, cancel := context.WithCancel(parent)
	lp.cancel = cancel
	m.logs = lp
	req := LogRequest{Namespace: pod.Namespace, Pod: pod.Name, Container: container,
		Previous: previous, Follow: !previous, TailLines: logTailLines}
	ch := make(chan logEvent, logBatch)
	timeout := m.opts.LogOpenTimeout
	if timeout <= 0 {
		timeout = logOpenTimeout
	}
	go stream(ctx, cancel, m.opts.Logs, req, timeout, lp.ring.MaxLine(), ch)
	return waitLog(lp.gen, ch)
}

// closeLogs stops the stream (its goroutine ends with the request).
func (m *Model) closeLogs() {
	if m.logs != nil && m.logs.cancel != nil {
		m.logs.cancel()
		m.logs.cancel = nil
	}
}

// stream reads the log into ch until it ends or ctx is cancelled. Opening
// has a deadline; a followed stream then lives as long as the view.
func stream(ctx context.Context, cancel context.CancelFunc, src LogSource, req LogRequest, timeout time.Duration, maxLine int, ch chan<- logEvent) {
	defer close(ch)
	send := func(e logEvent) bool {
		select {
		case ch <- e:
			return true
		case <-ctx.Done():
			return false
		}
	}
	timer := time.AfterFunc(timeout, cancel)
	rc, err := src(ctx, req)
	if !timer.Stop() {
		if err == nil {
			_ = rc.Close()
		}
		err = fmt.Errorf("no answer within %s", timeout)
	}
	if err != nil {
		// The first event always fits the buffer: no wait on a context
		// that the deadline may have ended.
		ch <- logEvent{end: true, err: err}
		return
	}
	defer rc.Close()
	send(logEvent{opened: true})
	err = logbuf.ReadLines(rc, maxLine, func(s string) { send(logEvent{line: s}) })
	if ctx.Err() == nil {
		send(logEvent{end: true, err: err})
	}
}

// waitLog blocks for the next line, then takes whatever else is already
// there (up to logBatch), so a burst of output is one redraw.
func waitLog(gen uint64, ch <-chan logEvent) tea.Cmd {
	return func() tea.Msg {
		msg := logMsg{gen: gen, ch: ch}
		e, ok := <-ch
		for {
			if !ok {
				msg.end = true
				return msg
			}
			if e.end {
				msg.end, msg.err = true, e.err
				return msg
			}
			if e.opened {
				msg.opened = true
			} else {
				msg.lines = append(msg.lines, e.line)
			}
			if len(msg.lines) >= logBatch {
				return msg
			}
			select {
			case e, ok = <-ch:
			default:
				return msg
			}
		}
	}
}

func (m *Model) applyLog(msg logMsg) tea.Cmd {
	lp := m.logs
	if lp == nil || msg.gen != lp.gen {
		return nil // a stream the view has left
	}
	for _, l := range msg.lines {
		lp.ring.Add(l)
	}
	if lp.scroll > 0 {
		lp.scroll += len(msg.lines) // keep the lines being read in place
	}
	switch {
	case msg.end && msg.err != nil:
		lp.state = "error: " + oneLine(msg.err.Error())
	case msg.end && lp.previous:
		lp.state = fmt.Sprintf("last %d lines of the previous container", lp.ring.Len())
	case msg.end:
		lp.state = "stream ended (container stopped?); r reopens"
	default:
		if msg.opened && !lp.previous {
			lp.state = "following"
		}
		return waitLog(msg.gen, msg.ch)
	}
	return nil
}

// logContainer picks the container to show first: the one whose restart
// the table explains, else the first.
func logContainer(pod *corev1.Pod) string {
	if name, _ := podstatus.LastTermination(pod); name != "" {
		return name
	}
	if len(pod.Spec.Containers) > 0 {
		return pod.Spec.Containers[0].Name
	}
	return ""
}

// nextContainer cycles through init and app containers.
func nextContainer(pod *corev1.Pod, cur string) string {
	var names []string
	for _, c := range append(append([]corev1.Container{}, pod.Spec.InitContainers...), pod.Spec.Containers...) {
		names = append(names, c.Name)
	}
	for i, n := range names {
		if n == cur {
			return names[(i+1)%len(names)]
		}
	}
	if len(names) > 0 {
		return names[0]
	}
	return cur
}

// logLines returns the lines to show in a pane of height h: the matching
// ones when searching, scrolled; and the number of matches.
func (lp *logPane) logLines(h int) ([]string, int) {
	needle := strings.ToLower(lp.search)
	var sel []string
	for i := range lp.ring.Len() {
		l := lp.ring.Line(i)
		if needle == "" || containsFold(l, needle) {
			sel = append(sel, l)
		}
	}
	scroll := min(lp.scroll, max(0, len(sel)-h))
	end := len(sel) - scroll
	return sel[max(0, end-h):end], len(sel)
}

func oneLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}
