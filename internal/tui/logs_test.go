package tui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	corev1 "k8s.io/api/core/v1"
)

// logServer is a LogSource serving per-container logs: current logs are
// pipes the test writes to (follow), previous logs fixed text. It records
// every request and whether its stream was cancelled.
type logServer struct {
	mu       sync.Mutex
	current  map[string]*io.PipeWriter
	previous map[string]string
	reqs     []LogRequest
	ctxs     []context.Context
	block    bool // never answer (for the open deadline)
}

func newLogServer() *logServer {
	return &logServer{current: map[string]*io.PipeWriter{}, previous: map[string]string{}}
}

func (s *logServer) open(ctx context.Context, r LogRequest) (io.ReadCloser, error) {
	s.mu.Lock()
	s.reqs, s.ctxs = append(s.reqs, r), append(s.ctxs, ctx)
	block := s.block
	s.mu.Unlock()
	if block {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	if r.Previous {
		text, ok := s.previous[r.Container]
		if !ok {
			return nil, errors.New(`previous terminated container "` + r.Container + `" in pod "` + r.Pod + `" not found`)
		}
		return io.NopCloser(strings.NewReader(text)), nil
	}
	pr, pw := io.Pipe()
	s.mu.Lock()
	s.current[r.Container] = pw
	s.mu.Unlock()
	go func() { <-ctx.Done(); _ = pw.CloseWithError(ctx.Err()) }()
	return pr, nil
}

func (s *logServer) write(t *testing.T, container, text string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		s.mu.Lock()
		pw := s.current[container]
		s.mu.Unlock()
		if pw != nil {
			go func() { _, _ = pw.Write([]byte(text)) }()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no stream open for %s", container)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// run feeds a command's messages back into the model until view shows want.
type logHarness struct {
	t    *testing.T
	m    Model
	msgs chan tea.Msg
}

func (h *logHarness) do(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	go func() { h.msgs <- cmd() }()
}

func (h *logHarness) send(msgs ...tea.Msg) {
	for _, msg := range msgs {
		next, cmd := h.m.Update(msg)
		h.m = next.(Model)
		h.do(cmd)
	}
}

func (h *logHarness) until(want string) string {
	h.t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		if v := h.m.View().Content; strings.Contains(v, want) {
			return v
		}
		select {
		case msg := <-h.msgs:
			h.send(msg)
		case <-deadline:
			h.t.Fatalf("timed out waiting for %q; screen:\n%s", want, h.m.View().Content)
		}
	}
}

func newLogHarness(t *testing.T, src *logServer, opts Options) *logHarness {
	opts.Context, opts.Namespace, opts.Now, opts.Logs = "kind-emm", "agentic-ai", clock, src.open
	h := &logHarness{t: t, m: New(opts), msgs: make(chan tea.Msg, 64)}
	h.send(tea.WindowSizeMsg{Width: 160, Height: 40}, snapshot(true, mkPod("worker", "worker-0", oomLoop(3))))
	return h
}

func TestDetailsFollowTheCurrentLogAndShowThePreviousOnP(t *testing.T) {
	t.Parallel()
	src := newLogServer()
	src.previous["main"] = "loading model\nbatch 99 of 100\nfatal: out of memory\n"
	h := newLogHarness(t, src, Options{})
	h.send(key("enter"))
	h.until("LOGS main (current) · following")
	src.write(t, "main", "starting\nready on :8080\n")
	v := h.until("ready on :8080")
	if !strings.Contains(v, "starting") || !strings.Contains(v, "CONTAINERS") {
		t.Errorf("details with log:\n%s", v)
	}
	// Follow: a line written later shows up without a key.
	src.write(t, "main", "request 1 done\n")
	h.until("request 1 done")

	h.send(key("p"))
	v = h.until("fatal: out of memory")
	if !strings.Contains(v, "LOGS main (previous) · last 3 lines of the previous container") {
		t.Errorf("previous log header:\n%s", v)
	}
	if strings.Contains(v, "ready on :8080") {
		t.Errorf("the previous instance's log must not mix with the current one:\n%s", v)
	}
	src.mu.Lock()
	reqs := append([]LogRequest(nil), src.reqs...)
	cur := src.ctxs[0]
	src.mu.Unlock()
	want := []LogRequest{
		{Namespace: "agentic-ai", Pod: "worker-0", Container: "main", Follow: true, TailLines: logTailLines},
		{Namespace: "agentic-ai", Pod: "worker-0", Container: "main", Previous: true, TailLines: logTailLines},
	}
	if fmt.Sprint(reqs) != fmt.Sprint(want) {
		t.Errorf("requests = %+v\nwant %+v", reqs, want)
	}
	if cur.Err() == nil {
		t.Error("switching to the previous log must stop the followed stream")
	}
	// p again: back to the current log, following.
	h.send(key("p"))
	h.until("LOGS main (current) · following")
}

func TestLogSearchFiltersAndCounts(t *testing.T) {
	t.Parallel()
	src := newLogServer()
	src.previous["main"] = "GET /health 200\nPOST /classify 500\nGET /health 200\nPOST /classify 200\n"
	h := newLogHarness(t, src, Options{})
	h.send(key("enter"), key("p"))
	h.until("last 4 lines")
	h.send(key("/"))
	h.send(typeText("classify")...)
	v := h.until(`search "classify": 2 matches`)
	if strings.Contains(v, "/health") {
		t.Errorf("search should hide lines without the text:\n%s", v)
	}
	h.send(key("enter"))
	if v := h.m.View().Content; !strings.Contains(v, `search "classify"`) || !strings.Contains(v, "POST /classify 500") {
		t.Errorf("enter keeps the search:\n%s", v)
	}
	h.send(key("esc"))
	if v := h.m.View().Content; strings.Contains(v, `search "`) || !strings.Contains(v, "/health") {
		t.Errorf("esc clears the search first:\n%s", v)
	}
	h.send(key("esc"))
	if h.m.screen != screenTable {
		t.Error("a second esc leaves the details")
	}
}

func TestLeavingDetailsStopsTheStream(t *testing.T) {
	t.Parallel()
	src := newLogServer()
	h := newLogHarness(t, src, Options{})
	h.send(key("enter"))
	h.until("following")
	h.send(key("esc"))
	src.mu.Lock()
	ctx := src.ctxs[0]
	src.mu.Unlock()
	select {
	case <-ctx.Done():
	case <-time.After(2 * time.Second):
		t.Fatal("the log stream is still open after leaving the details")
	}
}

func TestPreviousOfAContainerThatNeverRestarted(t *testing.T) {
	t.Parallel()
	src := newLogServer()
	h := newLogHarness(t, src, Options{})
	h.send(key("enter"), key("p"))
	h.until(`error: previous terminated container "main" in pod "worker-0" not found`)
}

func TestLogOpenHasADeadline(t *testing.T) {
	t.Parallel()
	src := newLogServer()
	src.block = true
	h := newLogHarness(t, src, Options{LogOpenTimeout: 50 * time.Millisecond})
	h.send(key("enter"))
	h.until("error: no answer within 50ms")
}

func TestLogPaneIsBounded(t *testing.T) {
	t.Parallel()
	src := newLogServer()
	var b strings.Builder
	for i := range 20000 {
		fmt.Fprintf(&b, "line %05d %s\n", i, strings.Repeat("x", 200))
	}
	src.previous["main"] = b.String()
	h := newLogHarness(t, src, Options{})
	h.send(key("enter"), key("p"))
	v := h.until("of the previous container")
	lp := h.m.logs
	if lp.ring.Len() > logMaxLines || lp.ring.Bytes() > logMaxBytes {
		t.Errorf("pane holds %d lines, %d bytes; bounds %d and %d", lp.ring.Len(), lp.ring.Bytes(), logMaxLines, logMaxBytes)
	}
	if !strings.Contains(v, "line 19999") || !strings.Contains(v, "older dropped") {
		t.Errorf("the newest lines are kept and the drop is said:\n%s", v)
	}
}

func TestNextContainerCycles(t *testing.T) {
	t.Parallel()
	pod := mkPod("api", "api-0", func(p *corev1.Pod) {
		p.Spec.InitContainers = []corev1.Container{{Name: "migrate"}}
		p.Spec.Containers = append(p.Spec.Containers, corev1.Container{Name: "sidecar"})
	})
	got := []string{}
	c := "main"
	for range 3 {
		c = nextContainer(pod, c)
		got = append(got, c)
	}
	if strings.Join(got, ",") != "sidecar,migrate,main" {
		t.Errorf("cycle = %v", got)
	}
	if logContainer(mkPod("w", "w-0", oomLoop(1))) != "main" || logContainer(pod) != "main" {
		t.Error("logContainer should pick the restarted container, else the first")
	}
}
