package watch

import (
	"errors"
	"net/url"
	"strings"
	"testing"
)

func TestShortError(t *testing.T) {
	t.Parallel()
	refused := &url.Error{Op: "Get", URL: "https://127.0.0.1:6443/api/v1/namespaces/agentic-ai/pods?allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan",
		Err: errors.New("dial tcp 127.0.0.1:6443: connect: connection refused")}
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"url noise dropped", refused, "dial tcp 127.0.0.1:6443: connect: connection refused"},
		{"plain kept", errors.New("etcdserver: leader changed"), "etcdserver: leader changed"},
		{"long cut to one line", errors.New(strings.Repeat("x", 300)), strings.Repeat("x", 119) + "…"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := shortError(tc.err); got != tc.want {
				t.Errorf("shortError = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestWorstShowsTroubleFirst(t *testing.T) {
	t.Parallel()
	ok := Conn{Phase: Connected}
	down := Conn{Phase: Reconnecting, Attempt: 2}
	denied := Conn{Phase: Forbidden, LastError: "forbidden"}
	if got := worst(ok, down); got.Phase != Reconnecting {
		t.Errorf("events down, pods ok: %v", got)
	}
	if got := worst(down, denied); got.Phase != Forbidden {
		t.Errorf("forbidden beats reconnecting: %v", got)
	}
	if got := worst(down, Conn{Phase: Reconnecting, Attempt: 5}); got.Attempt != 5 {
		t.Errorf("both down: the longer outage counts, got attempt %d", got.Attempt)
	}
}

func TestForbiddenEventsAreOnlyANote(t *testing.T) {
	t.Parallel()
	got := combine(Conn{Phase: Connected}, Conn{Phase: Forbidden, LastError: "forbidden: you may not watch events"})
	if got.Phase != Connected || got.Note == "" {
		t.Errorf("pods work, events forbidden: got %+v", got)
	}
	got = combine(Conn{Phase: Forbidden, LastError: "pods"}, Conn{Phase: Forbidden, LastError: "events"})
	if got.Phase != Forbidden || got.LastError != "pods" {
		t.Errorf("forbidden pods are the state: got %+v", got)
	}
}
