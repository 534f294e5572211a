package celpolicy

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/kubernetes/pkg/api/legacyscheme"
	sjson "sigs.k8s.io/json"

	"github.com/emmdev/emmdev/internal/lint/corpus"
	"github.com/emmdev/emmdev/internal/lint/loader"
)

func BenchmarkScratchParts(b *testing.B) {
	dir := b.TempDir()
	corpus.WriteDir(dir, corpus.BigFiles, corpus.BigObjectsPerFile)
	inputs, _ := loader.Files("", []string{dir}, nil)
	objs, _ := loader.Load(context.Background(), inputs, loader.Options{})
	data, _ := os.ReadFile(filepath.Join("testdata", "bench-rules.yaml"))
	set, err := Load([]Source{{Name: "b", Data: data}}, Options{})
	if err != nil {
		b.Fatal(err)
	}
	ev := set.NewEvaluator(EvalOptions{})
	var known []*loader.Object
	for _, o := range objs {
		if o.Kind != "SealedSecret" {
			known = append(known, o)
		}
	}
	gvk := func(o *loader.Object) schema.GroupVersionKind {
		gv, _ := schema.ParseGroupVersion(o.APIVersion)
		return gv.WithKind(o.Kind)
	}
	b.Run("fromUnstructured", func(b *testing.B) {
		for b.Loop() {
			for _, o := range known {
				t, _ := legacyscheme.Scheme.New(gvk(o))
				runtime.DefaultUnstructuredConverter.FromUnstructured(o.Obj, t)
			}
		}
	})
	b.Run("json", func(b *testing.B) {
		for b.Loop() {
			for _, o := range known {
				t, _ := legacyscheme.Scheme.New(gvk(o))
				d, _ := json.Marshal(o.Obj)
				sjson.UnmarshalCaseSensitivePreserveInts(d, t)
			}
		}
	})
	b.Run("typed-full", func(b *testing.B) {
		for b.Loop() {
			for _, o := range known {
				admissionObject(o.Obj, gvk(o), "agentic-ai")
			}
		}
	})
	b.Run("evaluate", func(b *testing.B) {
		for b.Loop() {
			for _, o := range objs {
				ev.Evaluate(context.Background(), o.Obj)
			}
		}
	})
	b.Run("load", func(b *testing.B) {
		for b.Loop() {
			Load([]Source{{Name: "b", Data: data}}, Options{})
		}
	})
}
