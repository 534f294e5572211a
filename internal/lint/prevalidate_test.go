package lint

import (
	"context"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emmdev/emmdev/internal/apivalidation"
	"github.com/emmdev/emmdev/internal/lint/finding"
	"github.com/emmdev/emmdev/internal/lint/loader"
	"github.com/emmdev/emmdev/internal/lint/policy"
	"github.com/emmdev/emmdev/internal/lint/rules"
	"github.com/emmdev/emmdev/policies"
)

// prevalidationInput holds a built-in object the API server rejects, a
// SealedSecret the embedded CRD rejects, valid ones, and a kind nobody
// validates.
const prevalidationInput = `apiVersion: apps/v1
kind: Deployment
metadata: {name: Web}
spec:
  replicas: -1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: other}}
    spec:
      containers: [{name: web, image: ""}]
---
apiVersion: bitnami.com/v1alpha1
kind: SealedSecret
metadata: {name: creds}
spec:
  encryptedData: {password: 42}
  bogus: true
---
apiVersion: v1
kind: ConfigMap
metadata: {name: ok}
data: {a: b}
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: w}
`

// treeCRDFixture holds a SealedSecret before the tree's own SealedSecret
// CRD, whose schema differs from the embedded one.
const treeCRDFixture = "testdata/prevalidate/sealedsecret-before-tree-crd.yaml"

// embeddedCRDChecks are the CRD checks of a run before the tree's CRDs
// are added.
func embeddedCRDChecks(t *testing.T) *crdChecks {
	t.Helper()
	crds, err := newCRDChecks()
	if err != nil {
		t.Fatal(err)
	}
	return crds
}

func parseInput(t *testing.T) []*loader.Object {
	t.Helper()
	objs, errs := loader.ParseAll("in.yaml", []byte(prevalidationInput), loader.Options{})
	if len(errs) > 0 || len(objs) != 4 {
		t.Fatalf("parse: %d objects, errors %v", len(objs), errs)
	}
	return objs
}

// What the workers found while loading is exactly what validating in the
// check phase finds: same issues, same decoded object.
func TestPrevalidatedEqualsDirect(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	objs := parseInput(t)
	crds := embeddedCRDChecks(t)
	native := apivalidation.New()
	p := newPrevalidator(ctx, native, crds.set, true, 1)
	for _, o := range objs {
		p.submit(o)
	}
	p.loaded()
	p.wg.Wait() // every entry done by the worker

	deploy, sealed, cm, widget := objs[0], objs[1], objs[2], objs[3]
	for _, o := range []*loader.Object{deploy, cm} {
		issues, decoded, ok, err := p.result(ctx, o, true)
		if !ok || err != nil {
			t.Fatalf("%s: result ok=%v err=%v, want the worker's", o.Ref(), ok, err)
		}
		want, wantDecoded, err := native.ValidateDecoded(ctx, o.Obj)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(issues, want) || !reflect.DeepEqual(decoded, wantDecoded) {
			t.Errorf("%s: prevalidated %+v, direct %+v", o.Ref(), issues, want)
		}
		if o == deploy && len(issues) < 3 {
			t.Errorf("%s: %d issues, want the name, replicas, selector and image ones", o.Ref(), len(issues))
		}
	}

	crd, ok := crds.set.Lookup(sealed.APIVersion, sealed.Kind)
	if !ok {
		t.Fatal("no embedded SealedSecret CRD")
	}
	issues, ok, err := p.crdResult(ctx, sealed, crd)
	if !ok || err != nil {
		t.Fatalf("SealedSecret: crdResult ok=%v err=%v, want the worker's", ok, err)
	}
	if want := crd.Validate(sealed.Obj); len(want) == 0 || !reflect.DeepEqual(issues, want) {
		t.Errorf("SealedSecret: prevalidated %+v, direct %+v", issues, want)
	}

	// Nothing to use for a kind neither validates, or an object never
	// submitted.
	if _, ok, _ := p.crdResult(ctx, widget, crd); ok {
		t.Error("Widget: a CRD result from an object no CRD validated")
	}
	other := parseInput(t)[0]
	if _, _, ok, _ := p.result(ctx, other, false); ok {
		t.Error("an object never submitted has a result")
	}
	// The decoded object is only kept when asked for at the start.
	q := newPrevalidator(ctx, native, crds.set, false, 1)
	q.submit(cm)
	q.loaded()
	q.wg.Wait()
	if _, _, ok, _ := q.result(ctx, cm, true); ok {
		t.Error("a result without the decoded object was used where the CEL rules need it")
	}
	q.stop()
	p.stop()
}

// An entry no worker has started is the check phase's: the worker must
// not validate it a second time, and nothing waits on it.
func TestUnstartedEntriesAreClaimed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	objs := parseInput(t)
	crds := embeddedCRDChecks(t)
	p := newPrevalidator(ctx, apivalidation.New(), crds.set, false, 0) // no workers
	for _, o := range objs {
		p.submit(o)
	}
	p.loaded()
	if _, _, ok, err := p.result(ctx, objs[0], false); ok || err != nil {
		t.Fatalf("unstarted entry: ok=%v err=%v, want to be told to validate it", ok, err)
	}
	if e := p.entries[objs[0]]; e.state.Load() != preClaimed {
		t.Error("the claimed entry is still queued: a worker would validate it again")
	}
	p.stop()
}

// Stopping abandons what is queued and returns at once; a result asked for
// afterwards is not a half-done one.
func TestStopAbandonsTheQueue(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	objs := parseInput(t)
	crds := embeddedCRDChecks(t)
	p := newPrevalidator(ctx, apivalidation.New(), crds.set, false, 1)
	cancel()
	for _, o := range objs {
		p.submit(o)
	}
	done := make(chan struct{})
	go func() { p.stop(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("stop did not return")
	}
	for _, o := range objs {
		if _, _, ok, _ := p.result(context.Background(), o, false); ok {
			t.Errorf("%s: a result from a stopped prevalidator", o.Ref())
		}
	}
}

// A custom resource validated against the embedded CRD while loading is
// validated again when a CRD in the tree replaces the embedded one.
func TestPrevalidatedCRDResultNotUsedWhenReplaced(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	data, err := os.ReadFile(treeCRDFixture)
	if err != nil {
		t.Fatal(err)
	}
	objs, errs := loader.ParseAll(treeCRDFixture, data, loader.Options{})
	if len(errs) > 0 || len(objs) != 2 {
		t.Fatalf("parse: %d objects, errors %v", len(objs), errs)
	}
	crds := embeddedCRDChecks(t)
	p := newPrevalidator(ctx, apivalidation.New(), crds.set, false, 1)
	defer p.stop()
	p.submit(objs[0])
	p.loaded()
	p.wg.Wait() // validated against the embedded CRD: no issue
	if e := p.entries[objs[0]]; e.crd == nil || len(e.crdIssues) != 0 {
		t.Fatalf("worker: crd %v issues %v, want the embedded CRD's clean result", e.crd, e.crdIssues)
	}
	if err := crds.addTree(objs, nil); err != nil {
		t.Fatal(err)
	}
	reg, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	pol, err := policy.Parse(policies.DefaultName, policies.Default(), reg)
	if err != nil {
		t.Fatal(err)
	}
	e := newEngine(Config{Registry: reg, Policy: pol}, rules.NewIndex(), nil)
	e.pre, e.crds = p, crds
	var got []string
	isCR, err := crds.check(ctx, e, objs[0], func(f finding.Finding) { got = append(got, f.Message) })
	if !isCR || err != nil {
		t.Fatalf("check: custom resource %v, err %v", isCR, err)
	}
	if !slices.ContainsFunc(got, func(s string) bool { return strings.Contains(s, "spec.owner: Required value") }) {
		t.Errorf("findings %q: want the tree CRD's spec.owner: Required value", got)
	}
}

// blockingNative stands in for the API server's validation: it takes
// every kind and returns only when its context ends.
type blockingNative struct{ started chan struct{} }

func (blockingNative) Handles(string, string) bool { return true }

func (b blockingNative) Validate(ctx context.Context, _ map[string]any) ([]apivalidation.Issue, error) {
	close(b.started)
	<-ctx.Done()
	return nil, ctx.Err()
}

// A validation the stop cut short is no result: the check phase must not
// report "context canceled" as the object's problem, or nothing at all.
func TestStopCutsShortARunningValidation(t *testing.T) {
	t.Parallel()
	objs := parseInput(t)
	crds := embeddedCRDChecks(t)
	native := blockingNative{started: make(chan struct{})}
	p := newPrevalidator(context.Background(), native, crds.set, false, 1)
	p.submit(objs[2]) // the ConfigMap
	p.loaded()
	<-native.started // the worker has claimed it and is validating
	p.stop()
	if e := p.entries[objs[2]]; e.state.Load() != preClaimed || e.err == nil {
		t.Fatalf("entry state %d err %v, want claimed and cut short", e.state.Load(), e.err)
	}
	if issues, _, ok, err := p.result(context.Background(), objs[2], false); ok || err != nil {
		t.Errorf("result after stop: issues %v ok %v err %v, want none to use", issues, ok, err)
	}
}

// Only objects a worker validates get an entry: custom resources of the
// tree's CRDs and unknown kinds cost the loader nothing.
func TestSubmitSkipsKindsNoWorkerValidates(t *testing.T) {
	t.Parallel()
	objs := parseInput(t)
	crds := embeddedCRDChecks(t)
	p := newPrevalidator(context.Background(), apivalidation.New(), crds.set, false, 0)
	defer p.stop()
	for _, o := range objs {
		p.submit(o)
	}
	p.loaded()
	for _, o := range objs {
		_, has := p.entries[o]
		if want := o.Kind != "Widget"; has != want {
			t.Errorf("%s: entry %v, want %v", o.Ref(), has, want)
		}
	}
}
