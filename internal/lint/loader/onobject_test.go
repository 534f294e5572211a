package loader

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
)

// OnObject sees every object ParseAll returns, items of a List included,
// and none of a document that failed; LoadAll calls it from its workers.
func TestOnObjectSeesEveryObject(t *testing.T) {
	t.Parallel()
	files := map[string]string{
		"a.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n- not an object\n---\napiVersion: v1\nkind: List\nitems:\n  - {apiVersion: v1, kind: Secret, metadata: {name: s}}\n  - {apiVersion: v1, kind: Service, metadata: {name: svc}}\n",
		"b.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n",
	}
	var inputs []Input
	for _, name := range []string{"a.yaml", "b.yaml"} {
		inputs = append(inputs, BytesInput(name, []byte(files[name])))
	}
	var mu sync.Mutex
	var seen []*Object
	objs, errs, err := LoadAll(context.Background(), inputs, Options{Workers: 2, OnObject: func(o *Object) {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, o)
	}})
	if err != nil || len(errs) != 1 {
		t.Fatalf("LoadAll: err %v, errors %v (want the one non-object document)", err, errs)
	}
	if len(objs) != 4 || len(seen) != len(objs) {
		t.Fatalf("%d objects, OnObject saw %d", len(objs), len(seen))
	}
	for _, o := range objs {
		if !slices.Contains(seen, o) {
			t.Errorf("OnObject did not see %s", o.Ref())
		}
	}
}

// Ctrl-C while a file of thousands of objects is read stops the reading
// between documents, not at the end of the file.
func TestLoadAllStopsBetweenDocuments(t *testing.T) {
	t.Parallel()
	var doc []byte
	for i := range 1000 {
		doc = fmt.Appendf(doc, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c%d}\n---\n", i)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	seen := 0
	_, _, err := LoadAll(ctx, []Input{BytesInput("many.yaml", doc)}, Options{Workers: 1, OnObject: func(*Object) {
		if seen++; seen == 10 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if seen != 10 {
		t.Errorf("read %d objects after the cancel at the 10th, want none", seen-10)
	}
}
