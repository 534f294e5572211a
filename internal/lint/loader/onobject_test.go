package loader

import (
	"context"
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
