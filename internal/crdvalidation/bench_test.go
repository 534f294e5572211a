package crdvalidation

import (
	"testing"
)

// BenchmarkCompileCRD: one CRD through the API server's CRD validation and
// compiled (structural schema, validators, CEL programs), as once per run.
func BenchmarkCompileCRD(b *testing.B) {
	obj, _ := readObject(b, "testdata/gadget-crd.yaml")
	for b.Loop() {
		s := NewSet(Options{})
		c := s.Add(obj, "gadget-crd.yaml")
		if ok, why := c.Usable(); !ok {
			b.Fatal(why)
		}
	}
}

// BenchmarkCompileEmbedded: the SealedSecret CRD, trusted, compiled only.
func BenchmarkCompileEmbedded(b *testing.B) {
	for b.Loop() {
		c, _ := embeddedSet(b).Lookup("bitnami.com/v1alpha1", "SealedSecret")
		if ok, why := c.Usable(); !ok {
			b.Fatal(why)
		}
	}
}

// BenchmarkValidateCustomResource: one custom resource with CEL rules,
// defaults and a list map, against a compiled CRD, in parallel like the
// lint engine's workers.
func BenchmarkValidateCustomResource(b *testing.B) {
	_, crd := gadgetSet(b)
	obj, _ := readObject(b, "testdata/cr/valid-full.yaml")
	crd.Usable()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if issues := crd.Validate(obj); len(issues) > 0 {
				b.Fatal(issues)
			}
		}
	})
}

// BenchmarkValidateSealedSecret: the custom resource of every EMM tree.
func BenchmarkValidateSealedSecret(b *testing.B) {
	c, _ := embeddedSet(b).Lookup("bitnami.com/v1alpha1", "SealedSecret")
	obj, _ := readObject(b, "../../manifests/40-confluence-credentials.sealedsecret.yaml")
	c.Usable()
	b.ReportAllocs()
	for b.Loop() {
		if issues := c.Validate(obj); len(issues) > 0 {
			b.Fatal(issues)
		}
	}
}
