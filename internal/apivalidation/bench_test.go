package apivalidation

import (
	"context"
	"slices"
	"testing"

	"github.com/emmdev/emmdev/internal/lint/corpus"
	"github.com/emmdev/emmdev/internal/lint/loader"
)

// BenchmarkValidate runs the API server's create path over the 80 objects
// of one benchmark corpus file (Deployments, StatefulSets, Services,
// ConfigMaps, ...; the SealedSecrets are not built-in), one at a time.
func BenchmarkValidate(b *testing.B) {
	objs, err := loader.Parse("app.yaml", corpus.File(0, corpus.SmallObjects), loader.Options{})
	if err != nil {
		b.Fatal(err)
	}
	v := New()
	ctx := context.Background()
	objs = slices.DeleteFunc(objs, func(o *loader.Object) bool { return !v.Handles(o.APIVersion, o.Kind) })
	for _, o := range objs {
		if _, err := v.Validate(ctx, o.Obj); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, o := range objs {
			is, err := v.Validate(ctx, o.Obj)
			if err != nil || len(is) > 0 {
				b.Fatalf("%s: %v %+v", o.Ref(), err, is)
			}
		}
	}
	b.ReportMetric(float64(len(objs))*float64(b.N)/b.Elapsed().Seconds(), "objects/s")
}
