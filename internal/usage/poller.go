package usage

import (
	"context"
	"time"

	metricsv "k8s.io/metrics/pkg/client/clientset/versioned"
)

// DefaultInterval is how often the live screen reads the metrics API;
// metrics-server itself refreshes every 15-60 s, so more often buys nothing.
const DefaultInterval = 10 * time.Second

// Poller reads the metrics API at an interval until its context ends.
type Poller struct {
	Client    metricsv.Interface
	Namespace string // "" for all
	Selector  string
	Interval  time.Duration // DefaultInterval when 0
	Timeout   time.Duration // per call; DefaultTimeout when 0
}

// Run calls sink with a snapshot at once and then every Interval, from one
// goroutine, until ctx is done; it returns ctx's error. Every call carries
// its own deadline, and cancelling ctx aborts the call in flight, so Ctrl-C
// never waits for a slow API server.
func (p Poller) Run(ctx context.Context, sink func(Snapshot)) error {
	interval := p.Interval
	if interval <= 0 {
		interval = DefaultInterval
	}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		s, err := Fetch(ctx, p.Client, p.Namespace, p.Selector, p.Timeout)
		if err != nil {
			return err
		}
		sink(s)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}
