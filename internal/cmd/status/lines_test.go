package status

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/emmdev/emmdev/internal/cmdutil"
	"github.com/emmdev/emmdev/internal/watch"
)

func TestLineWriterConnectionLines(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	w := &lineWriter{out: &out, now: func() time.Time { return now }, last: map[string]shown{}}
	conns := []watch.Conn{
		{Phase: watch.Connecting},
		{Phase: watch.Connected},
		{Phase: watch.Reconnecting, Attempt: 1, LastError: "connection refused"},
		{Phase: watch.Reconnecting, Attempt: 1, LastError: "connection refused"}, // same attempt: nothing new
		{Phase: watch.Reconnecting, Attempt: 2, LastError: "connection refused"},
		{Phase: watch.Connected},
	}
	for _, c := range conns {
		if err := w.write(watch.Snapshot{Conn: c, Synced: true}); err != nil {
			t.Fatal(err)
		}
	}
	want := "2026-11-26T13:00:00Z CONNECTION reconnecting (attempt 1, last error: connection refused)\n" +
		"2026-11-26T13:00:00Z CONNECTION reconnecting (attempt 2, last error: connection refused)\n" +
		"2026-11-26T13:00:00Z CONNECTION connected\n"
	if out.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", out.String(), want)
	}

	err := w.write(watch.Snapshot{Conn: watch.Conn{Phase: watch.Forbidden, LastError: `forbidden: you may not list pods in namespace "x"`}})
	if !errors.Is(err, cmdutil.ErrSilent) || !strings.Contains(out.String(), `CONNECTION forbidden: you may not list pods in namespace "x"`) {
		t.Errorf("forbidden should be printed once and stop the watch: err %v, out:\n%s", err, out.String())
	}
}
