package kube

import (
	"context"
	"fmt"
	"io"
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
		return nil, fmt.Errorf("%s %s: no response within %s (--request-timeout)", req.Method, req.URL.Redacted(), h.d)
	}
	if err != nil {
		cancel()
		return nil, err
	}
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
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
