package kube

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/spf13/pflag"
	"k8s.io/client-go/rest"
)

// DefaultRequestTimeout bounds every API call of a one-shot command. kubectl
// waits forever by default; against an API server that accepts connections
// and never answers, that is a hang, so emmdev gives up after 30 s.
const DefaultRequestTimeout = 30 * time.Second

// AddRequestTimeoutFlag registers --request-timeout, kubectl's name for it.
func AddRequestTimeoutFlag(fs *pflag.FlagSet, d *time.Duration) {
	fs.DurationVar(d, "request-timeout", DefaultRequestTimeout,
		"give up on an API call after this long (0 = never), e.g. 10s, 1m")
}

// BoundRequests returns a copy of cfg whose every request, body included,
// ends after d, as kubectl's --request-timeout does; 0 leaves cfg unbounded.
// Fit for one-shot commands, not for watches (a watch would be cut off).
func BoundRequests(cfg *rest.Config, d time.Duration) *rest.Config {
	c := rest.CopyConfig(cfg)
	if d > 0 {
		c.Timeout = d
	}
	return c
}

// BoundResponses returns a copy of cfg that bounds only the wait for each
// response to begin: a watch may then stream for hours, while a server that
// accepts and never answers fails each call after d, so informers retry and
// the screen can say it is reconnecting instead of hanging silently.
func BoundResponses(cfg *rest.Config, d time.Duration) *rest.Config {
	c := rest.CopyConfig(cfg)
	if d <= 0 {
		return c
	}
	wrap := c.WrapTransport
	c.WrapTransport = func(rt http.RoundTripper) http.RoundTripper {
		if wrap != nil {
			rt = wrap(rt)
		}
		return &headerTimeout{next: rt, d: d}
	}
	return c
}

// headerTimeout cancels a request whose response has not started within d.
type headerTimeout struct {
	next http.RoundTripper
	d    time.Duration
}

func (h *headerTimeout) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithCancel(req.Context())
	timer := time.AfterFunc(h.d, cancel)
	resp, err := h.next.RoundTrip(req.WithContext(ctx))
	if !timer.Stop() {
		// The timer fired: whatever came back is the cancelled request.
		if err == nil {
			_ = resp.Body.Close()
		}
		cancel()
		// client-go wraps this in a url.Error that names the request.
		return nil, &responseTimeout{d: h.d}
	}
	if err != nil {
		cancel()
		return nil, err
	}
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

// responseTimeout says which bound a request hit. It is deliberately not a
// net.Error with Timeout(): client-go turns a timed-out watch into an empty
// watch, no error, and a hung server would then look connected.
type responseTimeout struct{ d time.Duration }

func (e *responseTimeout) Error() string {
	return fmt.Sprintf("no response within %s (--request-timeout)", e.d)
}

// cancelOnClose releases the request's context once its body is done.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (c *cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.cancel()
	return err
}

// ExplainTimeout adds what a timeout means to err, which client-go words as
// "context deadline exceeded" or "Client.Timeout exceeded": the API server
// did not answer within the request timeout d. Other errors pass unchanged.
func ExplainTimeout(err error, d time.Duration) error {
	if err == nil || d <= 0 {
		return err
	}
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return fmt.Errorf("%w\nthe API server did not answer within %s (--request-timeout): is it up and reachable?", err, d)
	}
	return err
}
