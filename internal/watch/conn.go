package watch

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

// Phase is the state of the connection to the API server.
type Phase int

// Connection phases, in the order a session usually goes through them.
const (
	Connecting   Phase = iota // first list not done yet
	Connected                 // lists and watches succeed
	Reconnecting              // a list or watch failed; informers retry with backoff
	Forbidden                 // RBAC refuses the list: retrying will not help
)

func (p Phase) String() string {
	switch p {
	case Connecting:
		return "connecting"
	case Connected:
		return "connected"
	case Reconnecting:
		return "reconnecting"
	case Forbidden:
		return "forbidden"
	}
	return fmt.Sprintf("phase(%d)", int(p))
}

// Conn is the connection state shown in the header.
type Conn struct {
	Phase Phase
	// Attempt counts consecutive failed calls while Reconnecting.
	Attempt int
	// LastError is the last failure, already phrased for a person.
	LastError string
	// Since is when the phase began.
	Since time.Time
	// Note is secondary news, e.g. that events are forbidden so probe
	// failures cannot be shown, while pods work.
	Note string
}

// String is the header text: "connected", "reconnecting (attempt 3, last
// error: ...)", or the forbidden explanation.
func (c Conn) String() string {
	switch c.Phase {
	case Reconnecting:
		return fmt.Sprintf("reconnecting (attempt %d, last error: %s)", c.Attempt, c.LastError)
	case Forbidden:
		return c.LastError
	}
	return c.Phase.String()
}

// tracker records the outcome of every list and watch call of one resource.
type tracker struct {
	mu       sync.Mutex
	resource string
	ns       string
	conn     Conn
	lastErr  error // the raw error behind conn, to recognise it when reported twice
	now      func() time.Time
	changed  func()
}

func (t *tracker) ok() {
	t.mu.Lock()
	was := t.conn.Phase
	if was != Connected {
		t.conn = Conn{Phase: Connected, Since: t.now()}
	}
	t.mu.Unlock()
	if was != Connected {
		t.changed()
	}
}

func (t *tracker) fail(verb string, err error) {
	if err == nil || errors.Is(err, context.Canceled) {
		return
	}
	t.mu.Lock()
	t.lastErr = err
	if apierrors.IsForbidden(err) {
		t.conn = Conn{Phase: Forbidden, Since: t.now(), LastError: forbiddenText(verb, t.resource, t.ns, err)}
	} else {
		attempt := 1
		if t.conn.Phase == Reconnecting {
			attempt = t.conn.Attempt + 1
		}
		since := t.conn.Since
		if t.conn.Phase != Reconnecting {
			since = t.now()
		}
		t.conn = Conn{Phase: Reconnecting, Attempt: attempt, LastError: shortError(err), Since: since}
	}
	t.mu.Unlock()
	t.changed()
}

// failAgain records an error from the reflector's error handler unless it
// is the list/watch failure the tracked ListWatch already counted (the
// reflector wraps it as "failed to list ...: <err>").
func (t *tracker) failAgain(err error) {
	t.mu.Lock()
	seen := t.lastErr != nil && errors.Is(err, t.lastErr)
	t.mu.Unlock()
	if !seen {
		t.fail("watch", err)
	}
}

func (t *tracker) get() Conn {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.conn
}

// ForbiddenError is returned by List when RBAC refuses it.
type ForbiddenError struct {
	Verb, Resource, Namespace string
	Err                       error
}

func (e *ForbiddenError) Error() string {
	return forbiddenText(e.Verb, e.Resource, e.Namespace, e.Err)
}
func (e *ForbiddenError) Unwrap() error { return e.Err }

func forbiddenText(verb, resource, ns string, err error) string {
	where := fmt.Sprintf("in namespace %q", ns)
	if ns == "" {
		where = "across all namespaces (-A)"
	}
	user := ""
	var st apierrors.APIStatus
	if errors.As(err, &st) {
		user = st.Status().Message
	}
	msg := fmt.Sprintf("forbidden: you may not %s %s %s", verb, resource, where)
	if user != "" {
		msg += " (" + user + ")"
	}
	return msg
}

// shortError keeps the header on one line: a url.Error's request URL is
// noise next to the reason ("dial tcp 127.0.0.1:6443: connect: connection
// refused"), so only the reason is kept.
func shortError(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	s := err.Error()
	const maxLen = 120
	if len(s) > maxLen {
		s = s[:maxLen-1] + "…"
	}
	return s
}

// combine merges the pod and event connection states. Pods decide whether
// the screen works; forbidden events only cost the probe-failure causes, so
// they become a note rather than the state.
func combine(pods, events Conn) Conn {
	if events.Phase == Forbidden {
		pods.Note = "events forbidden: probe failures not shown"
		return pods
	}
	return worst(pods, events)
}

// worst returns the state with the bigger problem, pods first.
func worst(a, b Conn) Conn {
	rank := func(c Conn) int {
		switch c.Phase {
		case Forbidden:
			return 3
		case Reconnecting:
			return 2
		case Connecting:
			return 1
		}
		return 0
	}
	if rank(b) > rank(a) {
		return b
	}
	if a.Phase == Reconnecting && b.Phase == Reconnecting {
		// Both streams are down: count the longer outage.
		a.Attempt = max(a.Attempt, b.Attempt)
	}
	return a
}
