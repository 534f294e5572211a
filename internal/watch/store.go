// Package watch keeps a live, coalesced view of the pods of a namespace and
// their events, from client-go shared informers, and hands a consumer (the
// TUI, or the line printer) whole snapshots: at most one per interval while
// things change, none while nothing does.
package watch

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	k8swatch "k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	"k8s.io/klog/v2"

	"github.com/emmdev/emmdev/internal/podstatus"
)

// DefaultInterval is the minimum time between two snapshots. An isolated
// change is sent at once; a burst (a rollout, a relist of 5,000 pods) is
// folded into one snapshot per interval.
const DefaultInterval = 30 * time.Millisecond

// Options choose what a Store watches.
type Options struct {
	Namespace string // "" for all namespaces
	Selector  string // label selector for pods, as -l
	Interval  time.Duration
	Now       func() time.Time
}

// Store is the informer-backed pod cache. Create it with New, then Run.
type Store struct {
	client kubernetes.Interface
	opts   Options

	mu      sync.Mutex
	pods    map[string]*corev1.Pod
	events  map[string]map[types.UID]corev1.Event // pod key → events
	rows    []Pod                                 // sorted by namespace, name; updated in place per dirty pod
	dirty   map[string]struct{}
	changed bool // something besides pods changed (connection, sync)
	synced  bool
	seq     uint64

	wake            chan struct{}
	podConn, evConn *tracker
}

// New prepares a store; nothing talks to the API server before Run.
func New(client kubernetes.Interface, opts Options) *Store {
	if opts.Interval <= 0 {
		opts.Interval = DefaultInterval
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Store{
		client: client,
		opts:   opts,
		pods:   map[string]*corev1.Pod{},
		events: map[string]map[types.UID]corev1.Event{},
		dirty:  map[string]struct{}{},
		wake:   make(chan struct{}, 1),
	}
	s.podConn = &tracker{resource: "pods", ns: opts.Namespace, now: opts.Now, changed: s.markChanged}
	s.evConn = &tracker{resource: "events", ns: opts.Namespace, now: opts.Now, changed: s.markChanged}
	return s
}

// Run starts the informers and calls sink with a snapshot after every
// change, from a single goroutine, until ctx is done; it then stops the
// informers and returns ctx's error.
func (s *Store) Run(ctx context.Context, sink func(Snapshot)) error {
	// client-go logs every reflector failure through the context's logger;
	// the store reports them as connection state instead, and on the TUI a
	// log line would scribble over the screen.
	ctx = klog.NewContext(ctx, logr.Discard())
	pods := s.informer(&corev1.Pod{}, s.podConn, s.podLW())
	events := s.informer(&corev1.Event{}, s.evConn, s.eventLW())
	if _, err := pods.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    s.onPod,
		UpdateFunc: func(old, obj any) { s.onPodUpdate(old, obj) },
		DeleteFunc: s.onPodDelete,
	}); err != nil {
		return err
	}
	if _, err := events.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { s.onEvent(obj, false) },
		UpdateFunc: func(_, obj any) { s.onEvent(obj, false) },
		DeleteFunc: func(obj any) { s.onEvent(obj, true) },
	}); err != nil {
		return err
	}
	var wg sync.WaitGroup
	wg.Go(func() { pods.RunWithContext(ctx) })
	wg.Go(func() { events.RunWithContext(ctx) })
	wg.Go(func() {
		if cache.WaitForCacheSync(ctx.Done(), pods.HasSynced, events.HasSynced) {
			s.mu.Lock()
			s.synced = true
			s.mu.Unlock()
			s.markChanged()
		}
	})
	s.loop(ctx, sink)
	wg.Wait()
	return ctx.Err()
}

// loop is the coalescer: it sleeps on the wake channel (no timer, no CPU
// while idle) and never emits twice within one interval.
func (s *Store) loop(ctx context.Context, sink func(Snapshot)) {
	var last time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
		}
		if wait := s.opts.Interval - time.Since(last); wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
		}
		last = time.Now()
		if snap, ok := s.flush(); ok {
			sink(snap)
		}
	}
}

// flush re-summarizes the dirty pods and builds a snapshot.
func (s *Store) flush() (Snapshot, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.dirty) == 0 && !s.changed {
		return Snapshot{}, false
	}
	if len(s.dirty) > len(s.rows)/8+16 {
		s.rebuildRows()
	}
	for key := range s.dirty {
		pod, ok := s.pods[key]
		i, found := s.rowIndex(key)
		switch {
		case !ok && found:
			s.rows = slices.Delete(s.rows, i, i+1)
		case ok:
			row := s.summarize(key, pod)
			if found {
				s.rows[i] = row
			} else {
				s.rows = slices.Insert(s.rows, i, row)
			}
		}
	}
	clear(s.dirty)
	s.changed = false
	// The UI keeps the slice; copying it keeps later in-place updates from
	// changing a snapshot under its feet.
	out := slices.Clone(s.rows)
	s.seq++
	return Snapshot{Pods: out, Conn: combine(s.podConn.get(), s.evConn.get()), Synced: s.synced, Seq: s.seq}, true
}

// rebuildRows handles big bursts (the first list, a relist after a
// reconnect) in one sort instead of thousands of inserts, and clears dirty.
func (s *Store) rebuildRows() {
	rows := make([]Pod, 0, len(s.pods))
	for _, r := range s.rows {
		key := r.Key()
		if _, d := s.dirty[key]; !d {
			rows = append(rows, r)
		}
	}
	for key := range s.dirty {
		if pod, ok := s.pods[key]; ok {
			rows = append(rows, s.summarize(key, pod))
		}
	}
	sortPods(rows)
	s.rows = rows
	clear(s.dirty)
}

// rowIndex finds key ("namespace/name") in the sorted rows, or where it
// would be inserted.
func (s *Store) rowIndex(key string) (int, bool) {
	ns, name, _ := strings.Cut(key, "/")
	return slices.BinarySearchFunc(s.rows, key, func(p Pod, _ string) int {
		return cmp.Or(cmp.Compare(p.Namespace, ns), cmp.Compare(p.Name, name))
	})
}

func (s *Store) summarize(key string, pod *corev1.Pod) Pod {
	evs := make([]corev1.Event, 0, len(s.events[key]))
	for _, e := range s.events[key] {
		evs = append(evs, e)
	}
	sortEvents(evs)
	return Pod{Summary: podstatus.Summarize(pod, evs), Object: pod, Events: evs}
}

func (s *Store) signal() {
	select {
	case s.wake <- struct{}{}:
	default: // a wake-up is already pending; the flush will see this change too
	}
}

func (s *Store) markChanged() {
	s.mu.Lock()
	s.changed = true
	s.mu.Unlock()
	s.signal()
}

func (s *Store) markDirty(key string) {
	s.dirty[key] = struct{}{}
}

func (s *Store) informer(example runtime.Object, t *tracker, lw *cache.ListWatch) cache.SharedIndexInformer {
	tracked := &cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			obj, err := lw.ListWithContextFunc(ctx, o)
			s.record(ctx, t, "list", err)
			return obj, err
		},
		WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (k8swatch.Interface, error) {
			w, err := lw.WatchFuncWithContext(ctx, o)
			s.record(ctx, t, "watch", err)
			return w, err
		},
	}
	inf := cache.NewSharedIndexInformerWithOptions(
		cache.ToListWatcherWithWatchListSemantics(tracked, s.client),
		example, cache.SharedIndexInformerOptions{})
	// Replaces client-go's default handler, which logs every failure to
	// stderr (on the TUI that would scribble over the screen). Whatever ends
	// a ListAndWatch, even a watch that merely expired, sends the reflector
	// into its backoff sleep (up to a minute after a long outage) during
	// which nothing arrives: the header must say so rather than "connected".
	_ = inf.SetWatchErrorHandlerWithContext(func(ctx context.Context, _ *cache.Reflector, err error) {
		if ctx.Err() == nil {
			t.failAgain(err)
		}
	})
	return inf
}

func (s *Store) record(ctx context.Context, t *tracker, verb string, err error) {
	switch {
	case ctx.Err() != nil:
		// Shutting down: the failure is ours, not the server's.
	case err != nil:
		t.fail(verb, err)
	default:
		t.ok()
	}
}

func (s *Store) podLW() *cache.ListWatch {
	pods := s.client.CoreV1().Pods(s.opts.Namespace)
	sel := s.opts.Selector
	return &cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			o.LabelSelector = sel
			return pods.List(ctx, o)
		},
		WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (k8swatch.Interface, error) {
			o.LabelSelector = sel
			return pods.Watch(ctx, o)
		},
	}
}

func (s *Store) eventLW() *cache.ListWatch {
	evs := s.client.CoreV1().Events(s.opts.Namespace)
	return &cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			o.FieldSelector = podEventSelector
			return evs.List(ctx, o)
		},
		WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (k8swatch.Interface, error) {
			o.FieldSelector = podEventSelector
			return evs.Watch(ctx, o)
		},
	}
}
