package status

import (
	"context"
	"fmt"
	"io"
	"time"

	"k8s.io/client-go/kubernetes"

	"github.com/emmdev/emmdev/internal/cmdutil"
	"github.com/emmdev/emmdev/internal/kube"
	"github.com/emmdev/emmdev/internal/tui"
	"github.com/emmdev/emmdev/internal/watch"
)

// shown is what a change line reports; a pod whose shown fields did not
// change (a heartbeat, a resourceVersion bump) prints nothing.
type shown struct {
	ready, total int
	status       string
	restarts     int32
	cause, node  string
}

func shownOf(p watch.Pod) shown {
	return shown{p.Ready, p.Total, p.Status, p.Restarts, p.LastCause, p.Node}
}

// lineWriter turns snapshots into one timestamped line per change.
type lineWriter struct {
	out      io.Writer
	now      func() time.Time
	allNS    bool
	last     map[string]shown
	lastConn watch.Conn
	err      error // forbidden: stop, retrying cannot help
}

func runLines(ctx context.Context, o *Options, client kubernetes.Interface, t kube.Target) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	lw := &lineWriter{out: o.IO.Out, now: o.Now, allNS: t.Namespace == "", last: map[string]shown{}}
	store := watch.New(client, watch.Options{Namespace: t.Namespace, Selector: o.Selector, Now: o.Now})
	err := store.Run(ctx, func(s watch.Snapshot) {
		if lw.write(s) != nil {
			cancel()
		}
	})
	if lw.err != nil {
		return lw.err
	}
	return err
}

func (w *lineWriter) write(s watch.Snapshot) error {
	ts := w.now().UTC().Format(time.RFC3339)
	if s.Conn.Phase != w.lastConn.Phase || (s.Conn.Phase == watch.Reconnecting && s.Conn.Attempt != w.lastConn.Attempt) {
		// Only trouble and the recovery from it are news; the first
		// connection is implied by the ADDED lines.
		switch {
		case s.Conn.Phase == watch.Reconnecting,
			s.Conn.Phase == watch.Connected && w.lastConn.Phase == watch.Reconnecting:
			fmt.Fprintf(w.out, "%s CONNECTION %s\n", ts, s.Conn)
		case s.Conn.Phase == watch.Forbidden:
			fmt.Fprintf(w.out, "%s CONNECTION %s\n", ts, s.Conn)
			w.err = fmt.Errorf("%s: %w", s.Conn.LastError, cmdutil.ErrSilent)
			return w.err
		}
		w.lastConn = s.Conn
	}
	seen := make(map[string]bool, len(s.Pods))
	for _, p := range s.Pods {
		key := p.Key()
		seen[key] = true
		cur := shownOf(p)
		prev, had := w.last[key]
		if had && prev == cur {
			continue
		}
		verb := "MODIFIED"
		if !had {
			verb = "ADDED"
		}
		w.last[key] = cur
		fmt.Fprintf(w.out, "%s %-8s %s\n", ts, verb, w.describe(p))
	}
	for key := range w.last {
		if !seen[key] && s.Synced {
			delete(w.last, key)
			fmt.Fprintf(w.out, "%s %-8s %s\n", ts, "DELETED", key)
		}
	}
	return nil
}

func (w *lineWriter) describe(p watch.Pod) string {
	s := fmt.Sprintf("%s %s %s restarts=%d", p.Key(), tui.Ready(p.Summary), p.Status, p.Restarts)
	if p.LastCause != "" {
		s += " last=" + fmt.Sprintf("%q", p.LastCause)
	}
	if p.Node != "" {
		s += " node=" + p.Node
	}
	return s
}
