package usage

import (
	"time"
)

// History keeps the recent samples of every container, so the screen can
// tell how close a container ran to its limit before it was OOM-killed. It
// is bounded: at most PerContainer samples per container, and containers not
// seen for MaxAge are forgotten. It is not safe for concurrent use: its
// owner records and asks from one goroutine.
type History struct {
	perContainer int
	maxAge       time.Duration
	series       map[seriesKey]*series
}

type seriesKey struct{ ns, pod, container string }

type point struct {
	at       time.Time
	mem, cpu int64
}

// series is a ring of the newest points, oldest overwritten first.
type series struct {
	pts  []point
	next int // where the next point goes once pts is full
	last time.Time
}

// NewHistory keeps up to perContainer samples per container and forgets a
// container after maxAge without a sample.
func NewHistory(perContainer int, maxAge time.Duration) *History {
	return &History{perContainer: max(perContainer, 1), maxAge: maxAge, series: map[seriesKey]*series{}}
}

// Record adds the samples of s. A sample with the timestamp the container
// already has (metrics-server refreshes less often than it is asked) is not
// counted twice.
func (h *History) Record(s Snapshot) {
	if !s.Available {
		return
	}
	var newest time.Time
	for _, p := range s.Pods {
		if p.Timestamp.After(newest) {
			newest = p.Timestamp
		}
		for name, smp := range p.Containers {
			key := seriesKey{p.Namespace, p.Name, name}
			sr := h.series[key]
			if sr == nil {
				sr = &series{pts: make([]point, 0, min(h.perContainer, 8))}
				h.series[key] = sr
			}
			sr.add(point{at: p.Timestamp, mem: smp.MemBytes, cpu: smp.CPUMilli}, h.perContainer)
		}
	}
	if h.maxAge > 0 && !newest.IsZero() {
		for key, sr := range h.series {
			if newest.Sub(sr.last) > h.maxAge {
				delete(h.series, key)
			}
		}
	}
}

func (sr *series) add(p point, limit int) {
	if !p.at.After(sr.last) {
		return // the same reading again, or an older one
	}
	sr.last = p.at
	if len(sr.pts) < limit {
		sr.pts = append(sr.pts, p)
		return
	}
	sr.pts[sr.next] = p
	sr.next = (sr.next + 1) % limit
}

// Len is the number of containers tracked.
func (h *History) Len() int { return len(h.series) }

// PeakMemory is the highest working set recorded for the container with a
// timestamp in [from, to] (either may be zero for open-ended), and whether
// there was any such sample.
func (h *History) PeakMemory(ns, pod, container string, from, to time.Time) (int64, bool) {
	sr := h.series[seriesKey{ns, pod, container}]
	if sr == nil {
		return 0, false
	}
	var peak int64
	found := false
	for _, p := range sr.pts {
		if (!from.IsZero() && p.at.Before(from)) || (!to.IsZero() && p.at.After(to)) {
			continue
		}
		if !found || p.mem > peak {
			peak, found = p.mem, true
		}
	}
	return peak, found
}
