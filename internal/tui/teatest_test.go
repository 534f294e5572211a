package tui

import (
	"bytes"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"
)

// waitScreen waits until the terminal stream (escape codes stripped) shows want.
func waitScreen(t *testing.T, tm *teatest.TestModel, want string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		return bytes.Contains([]byte(ansi.Strip(string(b))), []byte(want))
	}, teatest.WithDuration(5*time.Second), teatest.WithCheckInterval(10*time.Millisecond))
}

// TestProgramSession drives the real bubbletea program: initial render,
// help, live filter, details, resize and quit.
func TestProgramSession(t *testing.T) {
	t.Parallel()
	tm := teatest.NewTestModel(t, New(Options{Context: "kind-emm", Namespace: "agentic-ai", Now: clock}),
		teatest.WithInitialTermSize(130, 30))

	waitScreen(t, tm, "loading pods")
	tm.Send(threePods())
	waitScreen(t, tm, "OOMKilled (limit 256Mi)")

	tm.Type("?")
	waitScreen(t, tm, "this help (esc returns)")
	tm.Send(key("esc"))
	waitScreen(t, tm, "kwok-node-0")

	tm.Type("/worker")
	tm.Send(key("enter"))
	waitScreen(t, tm, "(1 shown)")

	tm.Send(key("enter"))
	waitScreen(t, tm, "CONTAINERS")
	tm.Send(key("esc"))

	tm.Send(tea.WindowSizeMsg{Width: 70, Height: 12})
	waitScreen(t, tm, "[1-1/1]")

	tm.Type("q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	final := tm.FinalModel(t).(Model)
	if final.width != 70 || final.height != 12 {
		t.Errorf("final size %dx%d, want 70x12", final.width, final.height)
	}
	if final.filter != "worker" || final.screen != screenTable {
		t.Errorf("final filter %q screen %d, want the kept filter on the table", final.filter, final.screen)
	}
	if v := final.View().Content; !strings.Contains(v, "worker-0") || strings.Contains(v, "api-0") {
		t.Errorf("final view should show the one filtered pod:\n%s", v)
	}
}

// TestProgramQuitsOnCtrlC checks ctrl+c ends the program cleanly (exit 0).
func TestProgramQuitsOnCtrlC(t *testing.T) {
	t.Parallel()
	tm := teatest.NewTestModel(t, New(Options{Namespace: "agentic-ai", Now: clock}), teatest.WithInitialTermSize(80, 20))
	tm.Send(threePods())
	waitScreen(t, tm, "api-1")
	tm.Send(key("ctrl+c"))
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}
