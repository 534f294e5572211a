package lint

import (
	"context"
	"sync"
	"sync/atomic"

	"k8s.io/apimachinery/pkg/runtime"

	"github.com/emmdev/emmdev/internal/apivalidation"
	"github.com/emmdev/emmdev/internal/crdvalidation"
	"github.com/emmdev/emmdev/internal/lint/loader"
)

// prevalidator runs the API server's validation of built-in objects, and
// of custom resources of the CRDs emmdev embeds (SealedSecret), while the
// loader is still reading files. That validation needs nothing but the
// object (no index; a CRD never replaces a built-in kind, and a custom
// resource's result is used only if no CRD in the tree replaces the
// embedded one), so it starts with the first object read, and the
// per-group set-up of the first objects (most of a small run) is done on
// all cores while the rest is still being read.
//
// Every object a worker can validate gets an entry; the check phase takes
// the result, waits for one in progress, or claims an entry no worker has
// started and validates it itself. Entries are only added while loading,
// so after loading the map is read without locking.
type prevalidator struct {
	ctx    context.Context
	cancel context.CancelFunc
	native NativeValidator
	// decoded: keep the decoded object for the CEL rules (they run).
	decoded bool
	// crds hold the embedded CRDs; workers only look among those, while
	// the tree's CRDs may be added.
	crds *crdvalidation.Set

	mu      sync.Mutex
	closed  bool
	queue   chan *preEntry
	entries map[*loader.Object]*preEntry
	wg      sync.WaitGroup
}

// entry states
const (
	preQueued int32 = iota
	preClaimed
)

type preEntry struct {
	obj   *loader.Object
	state atomic.Int32
	done  chan struct{} // closed when a worker has finished it

	issues  []apivalidation.Issue
	decoded runtime.Object
	err     error
	// crd is the embedded CRD crdIssues come from (nil = none).
	crd       *crdvalidation.CRD
	crdIssues []crdvalidation.Issue
}

// preQueueSize bounds the objects waiting for a worker; past it the loader
// is not held up: the check phase validates the rest.
const preQueueSize = 1024

func newPrevalidator(ctx context.Context, native NativeValidator, crds *crdvalidation.Set, decoded bool, workers int) *prevalidator {
	p := &prevalidator{
		native: native, crds: crds, decoded: decoded,
		queue:   make(chan *preEntry, preQueueSize),
		entries: map[*loader.Object]*preEntry{},
	}
	p.ctx, p.cancel = context.WithCancel(ctx)
	for range workers {
		p.wg.Go(p.work)
	}
	return p
}

// knower is the cheap pre-check of *apivalidation.Validator.
type knower interface {
	Knows(apiVersion, kind string) bool
}

// submit is the loader's OnObject hook. Kinds no worker validates (the
// tree's custom resources, unknown kinds) get no entry, so they cost the
// loader nothing.
func (p *prevalidator) submit(o *loader.Object) {
	if o.APIVersion == "" || o.Kind == "" {
		return
	}
	if k, ok := p.native.(knower); ok && !k.Knows(o.APIVersion, o.Kind) {
		if _, embedded := p.crds.LookupEmbedded(o.APIVersion, o.Kind); !embedded {
			return
		}
	}
	e := &preEntry{obj: o, done: make(chan struct{})}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	p.entries[o] = e
	select {
	case p.queue <- e:
	default: // full: left queued for the check phase to claim
	}
}

// loaded ends the loading: no more entries. Workers finish the queue.
func (p *prevalidator) loaded() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.closed {
		p.closed = true
		close(p.queue)
	}
}

// stop abandons what is still queued and waits for the workers.
func (p *prevalidator) stop() {
	p.loaded()
	p.cancel()
	p.wg.Wait()
}

func (p *prevalidator) work() {
	for e := range p.queue {
		if p.ctx.Err() != nil || !e.state.CompareAndSwap(preQueued, preClaimed) {
			continue
		}
		if p.native.Handles(e.obj.APIVersion, e.obj.Kind) {
			e.issues, e.decoded, e.err = p.run(e.obj)
		} else if crd, ok := p.crds.LookupEmbedded(e.obj.APIVersion, e.obj.Kind); ok {
			e.crd, e.crdIssues = crd, crd.Validate(e.obj.Obj)
		}
		close(e.done)
	}
}

func (p *prevalidator) run(o *loader.Object) ([]apivalidation.Issue, runtime.Object, error) {
	if dv, ok := p.native.(decodingValidator); ok && p.decoded {
		return dv.ValidateDecoded(p.ctx, o.Obj)
	}
	issues, err := p.native.Validate(p.ctx, o.Obj)
	return issues, nil, err
}

// wait returns o's finished entry; nil when there is none to use (not
// submitted, or not started: the caller validates o itself, and no worker
// will). It must be called after loaded.
func (p *prevalidator) wait(ctx context.Context, o *loader.Object) (*preEntry, error) {
	if p == nil {
		return nil, nil
	}
	e := p.entries[o]
	if e == nil || e.state.CompareAndSwap(preQueued, preClaimed) {
		return nil, nil
	}
	select {
	case <-e.done:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if p.ctx.Err() != nil {
		return nil, nil // cut short by stop: not a result to trust
	}
	return e, nil
}

// result returns the API server's validation of o done while loading; ok
// is false when there is none (the caller validates o).
func (p *prevalidator) result(ctx context.Context, o *loader.Object, wantDecoded bool) (issues []apivalidation.Issue, decoded runtime.Object, ok bool, err error) {
	if p == nil || (wantDecoded && !p.decoded) {
		return nil, nil, false, nil
	}
	e, err := p.wait(ctx, o)
	if e == nil || err != nil {
		return nil, nil, false, err
	}
	issues, decoded, err = e.issues, e.decoded, e.err
	e.issues, e.decoded = nil, nil // taken once: the check owns it now
	return issues, decoded, true, err
}

// crdResult returns o's validation by crd done while loading; ok is false
// when there is none (the caller validates o), as when a CRD in the tree
// replaced the embedded one the worker used.
func (p *prevalidator) crdResult(ctx context.Context, o *loader.Object, crd *crdvalidation.CRD) (issues []crdvalidation.Issue, ok bool, err error) {
	e, err := p.wait(ctx, o)
	if e == nil || err != nil || e.crd != crd {
		return nil, false, err
	}
	issues = e.crdIssues
	e.crdIssues = nil // taken once
	return issues, true, nil
}
