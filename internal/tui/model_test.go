package tui

import (
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	corev1 "k8s.io/api/core/v1"

	"github.com/emmdev/emmdev/internal/watch"
)

func TestViewBeforeFirstSnapshotSaysLoading(t *testing.T) {
	t.Parallel()
	v := newModel(t).View()
	if !strings.Contains(v.Content, "loading pods") || !strings.Contains(v.Content, "connecting") {
		t.Fatalf("want a loading screen, got:\n%s", v.Content)
	}
	if !v.AltScreen {
		t.Error("the live screen should use the alternate screen")
	}
}

func TestTableShowsEveryColumnAndHeaderCounts(t *testing.T) {
	t.Parallel()
	v := newModel(t, threePods()).View().Content
	for _, want := range []string{
		"context kind-emm", "namespace agentic-ai", "● connected",
		"pods 3  ready 2  not ready 1  restarts since start 0",
		"NAME", "READY", "STATUS", "RESTARTS", "LAST RESTART CAUSE", "AGE", "NODE",
	} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
	rows := rowLines(v)
	if len(rows) != 3 {
		t.Fatalf("want 3 rows, got %d:\n%s", len(rows), v)
	}
	worker := rows[2]
	for _, want := range []string{"worker-0", "0/1", "CrashLoopBackOff", "2 (4m ago)", "OOMKilled (limit 256Mi)", "60m", "kwok-node-0"} {
		if !strings.Contains(worker, want) {
			t.Errorf("worker row lacks %q: %q", want, worker)
		}
	}
	if !strings.HasPrefix(rows[0], ">") {
		t.Errorf("first row should carry the cursor: %q", rows[0])
	}
}

func TestRestartsSinceStartAreMarked(t *testing.T) {
	t.Parallel()
	m := newModel(t, threePods())
	// The worker restarts twice more; a new pod appears and restarts once.
	m = send(m, snapshot(true,
		mkPod("api", "api-0"), mkPod("api", "api-1"),
		mkPod("worker", "worker-0", oomLoop(4)),
		mkPod("worker", "worker-1", oomLoop(1)),
	))
	v := m.View().Content
	if !strings.Contains(v, "restarts since start 3") {
		t.Errorf("header should count 2+1 restarts since start:\n%s", v)
	}
	for _, r := range rowLines(v) {
		marked := len(r) > 1 && strings.HasPrefix(r[1:], "↑")
		wantMarked := strings.Contains(r, "worker-")
		if marked != wantMarked {
			t.Errorf("row marked=%v, want %v: %q", marked, wantMarked, r)
		}
	}
}

func TestPodsPresentAtStartAreNotMarked(t *testing.T) {
	t.Parallel()
	// Unsynced partial snapshots before the first full list still count as "at start".
	m := newModel(t, snapshot(false, mkPod("worker", "worker-0", oomLoop(5))), threePods())
	if v := m.View().Content; strings.HasPrefix(rowLines(v)[2][1:], "↑") {
		t.Errorf("a pod that had restarted before the screen opened must not be marked:\n%s", v)
	}
}

func TestFilterIsLiveAndEscClears(t *testing.T) {
	t.Parallel()
	m := newModel(t, threePods(), key("/"))
	m = send(m, typeText("work")...)
	v := m.View().Content
	if rows := rowLines(v); len(rows) != 1 || !strings.Contains(rows[0], "worker-0") {
		t.Fatalf("filter 'work' should leave worker-0 only:\n%s", v)
	}
	if !strings.Contains(v, "/work") {
		t.Errorf("footer should show the filter being typed:\n%s", v)
	}
	m = send(m, key("backspace"), key("backspace"), key("backspace"), key("backspace"), key("a"), key("p"))
	if rows := rowLines(m.View().Content); len(rows) != 2 {
		t.Errorf("filter 'ap' should match the two api pods, got %d", len(rows))
	}
	m = send(m, key("esc"))
	if rows := rowLines(m.View().Content); len(rows) != 3 {
		t.Errorf("esc should clear the filter, got %d rows", len(rows))
	}
}

func TestFilterMatchesCauseAndKeepsAfterEnter(t *testing.T) {
	t.Parallel()
	m := newModel(t, threePods(), key("/"))
	m = send(m, typeText("oomkilled")...)
	m = send(m, key("enter"), key("j"))
	v := m.View().Content
	if rows := rowLines(v); len(rows) != 1 || !strings.Contains(v, `filter "oomkilled" (1 shown)`) {
		t.Errorf("enter keeps the filter; got:\n%s", v)
	}
	m = send(m, key("esc"))
	if rows := rowLines(m.View().Content); len(rows) != 3 {
		t.Errorf("esc on the table clears a kept filter, got %d rows", len(rows))
	}
}

func TestSortKeys(t *testing.T) {
	t.Parallel()
	snap := snapshot(true,
		mkPod("zeta", "a-pod"),
		mkPod("alpha", "c-pod", oomLoop(9)),
		mkPod("mid", "b-pod", oomLoop(1)),
	)
	tests := []struct {
		keys []string
		want []string
		sort string
	}{
		{nil, []string{"c-pod", "b-pod", "a-pod"}, "sort app ↑"},
		{[]string{"N"}, []string{"a-pod", "b-pod", "c-pod"}, "sort name ↑"},
		{[]string{"N", "N"}, []string{"c-pod", "b-pod", "a-pod"}, "sort name ↓"},
		{[]string{"R"}, []string{"c-pod", "b-pod", "a-pod"}, "sort restarts ↑"},
		{[]string{"T"}, []string{"b-pod", "c-pod", "a-pod"}, "sort status ↑"},
		{[]string{"s"}, []string{"a-pod", "b-pod", "c-pod"}, "sort name ↑"},
		{[]string{"s", "S"}, []string{"c-pod", "b-pod", "a-pod"}, "sort name ↓"},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.keys, ""), func(t *testing.T) {
			t.Parallel()
			m := newModel(t, snap)
			for _, k := range tc.keys {
				m = send(m, key(k))
			}
			v := m.View().Content
			rows := rowLines(v)
			var got []string
			for _, r := range rows {
				for _, name := range []string{"a-pod", "b-pod", "c-pod"} {
					if strings.Contains(r, name) {
						got = append(got, name)
					}
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("order = %v, want %v", got, tc.want)
			}
			if !strings.Contains(v, tc.sort) {
				t.Errorf("header should say %q", tc.sort)
			}
		})
	}
}

func TestNavigationMovesCursorAndDetailsFollowIt(t *testing.T) {
	t.Parallel()
	m := newModel(t, threePods(), key("j"), key("j"), key("k"), key("G"))
	rows := rowLines(m.View().Content)
	if !strings.HasPrefix(rows[2], ">") {
		t.Fatalf("G should select the last row: %q", rows)
	}
	m = send(m, key("enter"))
	v := m.View().Content
	for _, want := range []string{
		"pod agentic-ai/worker-0", "last restart cause: OOMKilled (limit 256Mi)",
		"CONTAINERS", "state: Waiting CrashLoopBackOff: back-off 40s",
		"last termination: OOMKilled, exit code 137, finished 4m ago",
		"limits: memory=256Mi", "RECENT EVENTS", "BackOff", "Back-off restarting failed container main (x7)",
	} {
		if !strings.Contains(v, want) {
			t.Errorf("details lack %q:\n%s", want, v)
		}
	}
	m = send(m, key("esc"), key("g"))
	if rows := rowLines(m.View().Content); len(rows) != 3 || !strings.HasPrefix(rows[0], ">") {
		t.Errorf("esc returns to the table and g goes to the top:\n%s", m.View().Content)
	}
}

func TestDetailsOfADeletedPod(t *testing.T) {
	t.Parallel()
	m := newModel(t, threePods(), key("enter"), snapshot(true, mkPod("api", "api-1")))
	if v := m.View().Content; !strings.Contains(v, "agentic-ai/api-0 is gone") {
		t.Errorf("details of a deleted pod should say so:\n%s", v)
	}
}

func TestHelpAndBack(t *testing.T) {
	t.Parallel()
	m := newModel(t, threePods(), key("?"))
	v := m.View().Content
	for _, want := range []string{"/ ", "filter", "sort by app, name, status, restarts, age, node", "enter", "q, ctrl+c", "restart count rose"} {
		if !strings.Contains(v, want) {
			t.Errorf("help lacks %q:\n%s", want, v)
		}
	}
	m = send(m, key("esc"))
	if len(rowLines(m.View().Content)) != 3 {
		t.Error("esc should leave help")
	}
}

func TestQuitKeys(t *testing.T) {
	t.Parallel()
	for _, k := range []string{"q", "ctrl+c"} {
		_, cmd := newModel(t, threePods()).Update(key(k))
		if cmd == nil {
			t.Fatalf("%s: no command", k)
		}
		if _, ok := cmd().(tea.QuitMsg); !ok {
			t.Errorf("%s should quit", k)
		}
	}
	// While typing a filter, q is text, not quit.
	m, cmd := newModel(t, threePods(), key("/")).Update(key("q"))
	if cmd != nil || m.(Model).filter != "q" {
		t.Error("q inside the filter should be typed")
	}
}

func TestResizeFitsEveryLineAndPages(t *testing.T) {
	t.Parallel()
	var pods []*corev1.Pod
	for i := range 50 {
		pods = append(pods, mkPod("api", fmt.Sprintf("api-%02d", i), oomLoop(int32(i%3))))
	}
	m := newModel(t, snapshot(true, pods...), tea.WindowSizeMsg{Width: 60, Height: 10})
	v := m.View().Content
	lines := strings.Split(v, "\n")
	if len(lines) > 10 {
		t.Errorf("view has %d lines for a 10-line window", len(lines))
	}
	for _, l := range lines {
		if w := ansi.StringWidth(l); w > 60 {
			t.Errorf("line is %d wide in a 60-column window: %q", w, l)
		}
	}
	if !strings.Contains(v, "[1-6/50]") {
		t.Errorf("footer should show the visible range:\n%s", v)
	}
	m = send(m, key("pgdown"))
	if v := m.View().Content; !strings.Contains(v, "api-06") || strings.Contains(v, "api-00") {
		t.Errorf("pgdown should show the next page:\n%s", v)
	}
	m = send(m, tea.WindowSizeMsg{Width: 200, Height: 60})
	if v := m.View().Content; len(rowLines(v)) != 50 || !strings.Contains(v, "OOMKilled (limit 256Mi)") {
		t.Errorf("a larger window should show all 50 rows with causes:\n%s", v)
	}
}

func TestConnectionStates(t *testing.T) {
	t.Parallel()
	tests := []struct {
		conn watch.Conn
		want string
	}{
		{watch.Conn{Phase: watch.Reconnecting, Attempt: 3, LastError: "connection refused"},
			"reconnecting (attempt 3, last error: connection refused)"},
		{watch.Conn{Phase: watch.Forbidden, LastError: `forbidden: you may not list pods in namespace "secret"`},
			`forbidden: you may not list pods in namespace "secret"`},
		{watch.Conn{Phase: watch.Connected, Note: "events forbidden: probe failures not shown"},
			"● connected (events forbidden: probe failures not shown)"},
	}
	for _, tc := range tests {
		t.Run(tc.conn.Phase.String(), func(t *testing.T) {
			t.Parallel()
			msg := SnapshotMsg{watch.Snapshot{Conn: tc.conn}}
			v := newModel(t, msg, tea.WindowSizeMsg{Width: 200, Height: 20}).View().Content
			if !strings.Contains(v, tc.want) {
				t.Errorf("view lacks %q:\n%s", tc.want, v)
			}
		})
	}
}

func TestColourOnlyWhenEnabled(t *testing.T) {
	t.Parallel()
	plain := newModel(t, threePods()).View().Content
	if strings.Contains(plain, "\x1b[") {
		t.Errorf("colour off (NO_COLOR / no TTY) must not emit escape codes:\n%q", plain)
	}
	m := send(New(Options{Namespace: "agentic-ai", Color: true, Now: clock}), threePods())
	if coloured := m.View().Content; !strings.Contains(coloured, "\x1b[") {
		t.Error("colour on should style the screen")
	}
}

func TestEmptyNamespace(t *testing.T) {
	t.Parallel()
	v := newModel(t, snapshot(true)).View().Content
	if !strings.Contains(v, "no pods in agentic-ai") {
		t.Errorf("want an explicit empty message:\n%s", v)
	}
}

func TestCauseStaysWholeWhileItFits(t *testing.T) {
	t.Parallel()
	// gutter 3 + NAME 8+2 + READY 5+2 + STATUS 16+2 + RESTARTS 15+2 = 55, cause 23.
	for _, width := range []int{78, 80, 90, 100, 120, 160} {
		v := newModel(t, threePods(), tea.WindowSizeMsg{Width: width, Height: 20}).View().Content
		if !strings.Contains(v, "OOMKilled (limit 256Mi)") {
			t.Errorf("width %d: cause cut although it fits:\n%s", width, v)
		}
	}
}

func TestNarrowTerminalDropsNodeBeforeCause(t *testing.T) {
	t.Parallel()
	m := newModel(t, threePods(), tea.WindowSizeMsg{Width: 90, Height: 20})
	v := m.View().Content
	if !strings.Contains(v, "OOMKilled (limit 256Mi)") {
		t.Errorf("the cause must stay whole at 90 columns:\n%s", v)
	}
	if strings.Contains(v, "kwok-node-0") {
		t.Errorf("NODE should be dropped first at 90 columns:\n%s", v)
	}
}

// TestNoTimer: the model schedules nothing by itself, so an idle screen does
// no work; only snapshots, keys and resizes cause a redraw.
func TestNoTimer(t *testing.T) {
	t.Parallel()
	m := New(Options{Now: clock})
	if cmd := m.Init(); cmd != nil {
		t.Error("Init must not start a tick")
	}
	for _, msg := range []tea.Msg{threePods(), tea.WindowSizeMsg{Width: 100, Height: 30}, key("j"), key("/"), key("x")} {
		next, cmd := m.Update(msg)
		if cmd != nil {
			t.Errorf("%T scheduled a command; only quit may", msg)
		}
		m = next.(Model)
	}
}
