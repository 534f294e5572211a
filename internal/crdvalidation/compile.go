package crdvalidation

import (
	"fmt"

	"k8s.io/apiextensions-apiserver/pkg/apihelpers"
	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	structuraldefaulting "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	apiservervalidation "k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	"k8s.io/apiextensions-apiserver/pkg/registry/customresource"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/registry/rest"
	"k8s.io/kube-openapi/pkg/validation/strfmt"
	"k8s.io/kube-openapi/pkg/validation/validate"
)

// version is one served version of a CRD, compiled the way the CRD handler
// of apiextensions-apiserver builds its storage (getOrCreateServingInfoFor).
type version struct {
	gvk                   schema.GroupVersionKind
	plural                string
	namespaced            bool
	preserveUnknownFields bool
	// structural has its defaults pruned, as the handler's copy has; it
	// drives pruning, defaulting and the strategy.
	structural *structuralschema.Structural
	// strategy is customresource's create strategy: the OpenAPI schema
	// validator, metadata, list types and CEL rules (compiled here, once).
	strategy rest.RESTCreateStrategy
	// schemaValidator is the OpenAPI validator the strategy runs; run again
	// on its own, it tells schema errors from the others.
	schemaValidator apiservervalidation.SchemaValidator
}

// compileVersions builds every served version of a decoded, defaulted v1 CRD.
func compileVersions(e *env, crd *apiextensionsv1.CustomResourceDefinition) (map[string]*version, []string, error) {
	out := map[string]*version{}
	var served []string
	for _, v := range crd.Spec.Versions {
		if !v.Served {
			continue // the API server answers 404 for it
		}
		ver, err := compileVersion(e, crd, v)
		if err != nil {
			return nil, nil, fmt.Errorf("version %s cannot be served: %w", v.Name, err)
		}
		out[v.Name] = ver
		served = append(served, v.Name)
	}
	return out, served, nil
}

func compileVersion(e *env, crd *apiextensionsv1.CustomResourceDefinition, v apiextensionsv1.CustomResourceDefinitionVersion) (*version, error) {
	gvk := schema.GroupVersionKind{Group: crd.Spec.Group, Version: v.Name, Kind: crd.Spec.Names.Kind}
	ver := &version{
		gvk: gvk, plural: crd.Spec.Names.Plural,
		namespaced:            crd.Spec.Scope == apiextensionsv1.NamespaceScoped,
		preserveUnknownFields: crd.Spec.PreserveUnknownFields,
	}
	val, err := apihelpers.GetSchemaForVersion(crd, v.Name)
	if err != nil {
		return nil, err
	}
	var props *apiextensions.JSONSchemaProps
	if val != nil {
		internal := &apiextensions.CustomResourceValidation{}
		if err := apiextensionsv1.Convert_v1_CustomResourceValidation_To_apiextensions_CustomResourceValidation(val, internal, nil); err != nil {
			return nil, err
		}
		props = internal.OpenAPIV3Schema
		s, err := structuralschema.NewStructural(props)
		if err != nil && !crd.Spec.PreserveUnknownFields {
			return nil, err
		}
		if s != nil && !crd.Spec.PreserveUnknownFields {
			s = s.DeepCopy() // the handler does not own s either
			if err := structuraldefaulting.PruneDefaults(s); err != nil {
				return nil, err
			}
		}
		ver.structural = s
	}
	validator, err := newCreateValidator(props)
	if err != nil {
		return nil, err
	}
	subresources, err := apihelpers.GetSubresourcesForVersion(crd, v.Name)
	if err != nil {
		return nil, err
	}
	var status *apiextensions.CustomResourceSubresourceStatus
	var statusValidator apiservervalidation.SchemaValidator
	var scale *apiextensions.CustomResourceSubresourceScale
	if subresources != nil && subresources.Status != nil {
		status = &apiextensions.CustomResourceSubresourceStatus{}
		if props != nil && props.Properties != nil {
			if statusSchema, ok := props.Properties["status"]; ok {
				if statusValidator, err = newCreateValidator(&statusSchema); err != nil {
					return nil, err
				}
			}
		}
	}
	if subresources != nil && subresources.Scale != nil {
		scale = &apiextensions.CustomResourceSubresourceScale{}
		if err := apiextensionsv1.Convert_v1_CustomResourceSubresourceScale_To_apiextensions_CustomResourceSubresourceScale(subresources.Scale, scale, nil); err != nil {
			return nil, err
		}
	}
	ver.schemaValidator = validator
	ver.strategy = customresource.NewStrategy(e.unstruct, ver.namespaced, gvk, validator, statusValidator,
		ver.structural, status, scale, v.SelectableFields)
	return ver, nil
}

// createValidator is the OpenAPI schema validator the API server uses for a
// create, built once. With CRDValidationRatcheting on (the default) the API
// server's validator rebuilds kube-openapi's validator on every call, to
// compare with the old object of an update; a create has no old object, so
// the result is the same, and building it once per CRD version is what keeps
// many custom resources (SealedSecrets) cheap.
type createValidator struct{ *validate.SchemaValidator }

func newCreateValidator(props *apiextensions.JSONSchemaProps) (apiservervalidation.SchemaValidator, error) {
	_, openapiSchema, err := apiservervalidation.NewSchemaValidator(props)
	if err != nil {
		return nil, err
	}
	return createValidator{validate.NewSchemaValidator(openapiSchema, nil, "", strfmt.Default)}, nil
}

func (v createValidator) Validate(obj any, _ ...apiservervalidation.ValidationOption) *validate.Result {
	return v.SchemaValidator.Validate(obj)
}

// ValidateUpdate is never called: only creates are validated.
func (v createValidator) ValidateUpdate(obj, _ any, _ ...apiservervalidation.ValidationOption) *validate.Result {
	return v.SchemaValidator.Validate(obj)
}
