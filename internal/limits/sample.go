package limits

import (
	"context"
	"errors"
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	metricsv "k8s.io/metrics/pkg/client/clientset/versioned"

	"github.com/emmdev/emmdev/internal/usage"
)

// Sampler reads the metrics API for a while and keeps each container's
// highest reading: the seed's "run a batch, watch kubectl top, take the
// peak", without the spreadsheet.
type Sampler struct {
	Kube     kubernetes.Interface
	Metrics  metricsv.Interface
	Duration time.Duration
	Interval time.Duration // between readings
	Timeout  time.Duration // per API call
	// Tick is told about every reading (for progress output); may be nil.
	Tick func(reading int, elapsed time.Duration)
}

// Source implements Evidence.
func (s Sampler) Source() string {
	return fmt.Sprintf("metrics API sampled every %s for %s", s.Interval, s.Duration)
}

// Peaks implements Evidence. A reading repeated by metrics-server (same
// timestamp) counts once. Cancelling ctx stops at once with its error.
func (s Sampler) Peaks(ctx context.Context, targets []Target) (map[ContainerKey]Peak, error) {
	byNS := map[string][]Target{}
	for _, t := range targets {
		byNS[t.Namespace] = append(byNS[t.Namespace], t)
	}
	peaks := map[ContainerKey]Peak{}
	seen := map[string]time.Time{} // pod/container → newest reading counted
	start := time.Now()
	tick := time.NewTicker(max(s.Interval, time.Second))
	defer tick.Stop()
	for reading := 1; ; reading++ {
		for ns, ts := range byNS {
			if err := s.read(ctx, ns, ts, peaks, seen); err != nil {
				return nil, err
			}
		}
		elapsed := time.Since(start)
		if s.Tick != nil {
			s.Tick(reading, elapsed)
		}
		if elapsed >= s.Duration {
			return peaks, nil
		}
		wait := time.NewTimer(min(s.Duration-elapsed, max(s.Interval, time.Second)))
		select {
		case <-ctx.Done():
			wait.Stop()
			return nil, ctx.Err()
		case <-wait.C:
		}
	}
}

// read takes one reading of namespace ns.
func (s Sampler) read(ctx context.Context, ns string, targets []Target, peaks map[ContainerKey]Peak, seen map[string]time.Time) error {
	callCtx, cancel := context.WithTimeout(ctx, s.timeout())
	pods, err := s.Kube.CoreV1().Pods(ns).List(callCtx, metav1.ListOptions{})
	cancel()
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("list pods in %s: %w", ns, err)
	}
	m, err := usage.Fetch(ctx, s.Metrics, ns, "", s.timeout())
	if err != nil {
		return err
	}
	if !m.Available {
		return &NoMetricsError{Note: m.Note}
	}
	for i := range pods.Items {
		p := &pods.Items[i]
		pm, ok := m.Pods[usage.Key{Namespace: ns, Name: p.Name}]
		if !ok {
			continue
		}
		for _, t := range targets {
			if !t.matches(p.Name, p.Labels) {
				continue
			}
			for _, c := range t.Containers {
				smp, ok := pm.Containers[c]
				if !ok {
					continue
				}
				id := p.Name + "/" + c
				if last, ok := seen[id]; ok && !pm.Timestamp.After(last) {
					continue // metrics-server has not refreshed yet
				}
				seen[id] = pm.Timestamp
				k := ContainerKey{ns, t.Kind, t.Name, c}
				pk := peaks[k]
				pk.MemBytes, pk.CPUMilli = max(pk.MemBytes, smp.MemBytes), max(pk.CPUMilli, smp.CPUMilli)
				pk.Samples++
				peaks[k] = pk
			}
		}
	}
	return nil
}

func (s Sampler) timeout() time.Duration {
	if s.Timeout > 0 {
		return s.Timeout
	}
	return usage.DefaultTimeout
}

// NoMetricsError: the metrics API cannot be read, so there is nothing to
// sample.
type NoMetricsError struct{ Note string }

func (e *NoMetricsError) Error() string { return "cannot sample: " + e.Note }

// IsNoMetrics reports whether err is a NoMetricsError.
func IsNoMetrics(err error) bool {
	var e *NoMetricsError
	return errors.As(err, &e)
}
