package crdvalidation

import (
	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/install"
	"k8s.io/apiextensions-apiserver/pkg/crdserverscheme"
	"k8s.io/apiextensions-apiserver/pkg/registry/customresourcedefinition"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/apiserver/pkg/registry/rest"
)

// env is what every CRD of a Set shares: the apiextensions scheme with its
// defaulting and conversion functions, and the CRD registry's strategy.
// Built on first use only, so a run without CRDs or custom resources does
// no scheme registration at all.
type env struct {
	scheme   *runtime.Scheme
	codecs   serializer.CodecFactory
	crd      rest.RESTCreateStrategy
	unstruct runtime.ObjectTyper
}

func newEnv() *env {
	s := runtime.NewScheme()
	install.Install(s)
	return &env{
		scheme: s,
		// Strict, as kubectl apply asks for (fieldValidation=Strict):
		// unknown and duplicate fields are decoding errors.
		codecs:   serializer.NewCodecFactory(s, serializer.EnableStrict),
		crd:      customresourcedefinition.NewStrategy(s),
		unstruct: crdserverscheme.NewUnstructuredObjectTyper(),
	}
}
