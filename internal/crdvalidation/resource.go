package crdvalidation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strings"

	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	structuraldefaulting "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	structurallisttype "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/listtype"
	schemaobjectmeta "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/objectmeta"
	structuralpruning "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning"
	apiservervalidation "k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	"k8s.io/apimachinery/pkg/util/validation/field"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/registry/rest"
)

// Validate checks a custom resource of the CRD's kind as the API server does
// on create with fieldValidation=Strict. obj is not modified. Issue paths
// point into obj.
func (c *CRD) Validate(obj map[string]any) []Issue {
	c.compile()
	apiVersion, _ := obj["apiVersion"].(string)
	if c.unusable != "" {
		return []Issue{{Reason: NotValidated, Path: []string{"kind"}, Field: "kind", FieldPath: []string{"kind"}, Message: fmt.Sprintf(
			"%s was not validated: its CustomResourceDefinition %s (%s) is not used because %s",
			c.gk.Kind, c.name, c.origin, c.unusable)}}
	}
	_, ver, _ := strings.Cut(apiVersion, "/")
	v, ok := c.versions[ver]
	if !ok {
		return []Issue{{Reason: NotValidated, Path: []string{"apiVersion"}, Field: "apiVersion", FieldPath: []string{"apiVersion"}, Message: fmt.Sprintf(
			"%s %s was not validated: CustomResourceDefinition %s (%s) does not serve version %q (served: %s)",
			apiVersion, c.gk.Kind, c.name, c.origin, ver, strings.Join(c.served, ", "))}}
	}
	return v.validate(obj)
}

func (v *version) validate(orig map[string]any) (issues []Issue) {
	defer func() {
		if r := recover(); r != nil {
			issues = append(issues, Issue{Reason: Invalid, Message: fmt.Sprintf("Internal error occurred: %v", r)})
		}
	}()
	// What the API server receives: kubectl's JSON, decoded with integers
	// as int64 and other numbers as float64.
	u := &unstructured.Unstructured{}
	if cp, ok := jsonCopy(orig); ok {
		u.Object = cp.(map[string]any)
	} else {
		data, err := json.Marshal(orig)
		if err != nil {
			return []Issue{{Reason: Malformed, Message: err.Error()}}
		}
		if err := utiljson.Unmarshal(data, &u.Object); err != nil {
			return []Issue{{Reason: Malformed, Message: err.Error()}}
		}
	}

	unknown, err := v.coerce(u)
	if err != nil {
		field := decodeErrorField(err)
		path := resolvePath(orig, field)
		return append(issues, Issue{Reason: Malformed, Path: path, Field: field, FieldPath: path,
			Message: fmt.Sprintf("%s in version %q cannot be handled as a %s: %v", v.gvk.Kind, v.gvk.Version, v.gvk.Kind, err)})
	}
	for _, p := range unknown {
		path := resolvePath(orig, p)
		issues = append(issues, Issue{Reason: UnknownField, Path: path, Field: p, FieldPath: path, Message: fmt.Sprintf("unknown field %q", p)})
	}
	// The API server stops at unknown fields (400, strict decoding error).
	// Validating what remains once they are gone tells the user the rest
	// in the same run.
	if v.structural != nil {
		structuraldefaulting.Default(u.Object, v.structural)
	}
	errs := v.validateCreate(u)
	schemaErrs := v.schemaErrors(u, errs)
	for _, fe := range errs {
		reason := Invalid
		if schemaErrs[fe.Error()] {
			reason = SchemaViolation
		}
		path := resolvePath(orig, fe.Field)
		issues = append(issues, Issue{Reason: reason, Path: path, Field: fe.Field, FieldPath: path, Message: fe.Error()})
	}
	return issues
}

// schemaErrors tells which of the strategy's errors come from the CRD's
// OpenAPI schema and list types, by running those two checks again on the
// object the strategy validated.
func (v *version) schemaErrors(u *unstructured.Unstructured, errs []*fieldError) map[string]bool {
	if len(errs) == 0 {
		return nil
	}
	out := map[string]bool{}
	for _, fe := range apiservervalidation.ValidateCustomResource(nil, u.UnstructuredContent(), v.schemaValidator) {
		out[fe.Error()] = true
	}
	for _, fe := range structurallisttype.ValidateListSetsAndMaps(nil, v.structural, u.UnstructuredContent()) {
		out[fe.Error()] = true
	}
	return out
}

// coerce is the CRD handler's unstructuredSchemaCoercer.apply for a request
// body under strict field validation: ObjectMeta decoded strictly, unknown
// fields pruned (and returned), non-nullable nulls dropped, embedded
// ObjectMeta coerced, and apiVersion/kind/metadata restored.
func (v *version) coerce(u *unstructured.Unstructured) ([]string, error) {
	kind, foundKind, err := unstructured.NestedString(u.Object, "kind")
	if err != nil {
		return nil, err
	}
	apiVersion, foundAPIVersion, err := unstructured.NestedString(u.Object, "apiVersion")
	if err != nil {
		return nil, err
	}
	objectMeta, foundObjectMeta, unknown, err := schemaobjectmeta.GetObjectMetaWithOptions(u.Object,
		schemaobjectmeta.ObjectMetaOptions{ReturnUnknownFieldPaths: true})
	if err != nil {
		return nil, err
	}
	gv, err := schema.ParseGroupVersion(apiVersion)
	if err != nil {
		return nil, err
	}
	if gv.Group == v.gvk.Group && kind == v.gvk.Kind {
		if !v.preserveUnknownFields {
			unknown = append(unknown, structuralpruning.PruneWithOptions(u.Object, v.structural, true,
				structuralschema.UnknownFieldPathOptions{TrackUnknownFieldPaths: true})...)
			structuraldefaulting.PruneNonNullableNullsWithoutDefaults(u.Object, v.structural)
		}
		ferr, paths := schemaobjectmeta.CoerceWithOptions(nil, u.Object, v.structural, false,
			schemaobjectmeta.CoerceOptions{ReturnUnknownFieldPaths: true})
		if ferr != nil {
			return nil, ferr
		}
		unknown = append(unknown, paths...)
	}
	if foundKind {
		u.SetKind(kind)
	}
	if foundAPIVersion {
		u.SetAPIVersion(apiVersion)
	}
	if foundObjectMeta {
		if err := schemaobjectmeta.SetObjectMeta(u.Object, objectMeta); err != nil {
			return nil, err
		}
	}
	return unknown, nil
}

// validateCreate is rest.BeforeCreate for the custom resource: the request
// namespace (kubectl sends the object's, or "default"), system fields, a
// generated name, PrepareForCreate (drops status when the status
// subresource is on) and the create validation.
func (v *version) validateCreate(u *unstructured.Unstructured) []*fieldError {
	ns := ""
	if v.namespaced {
		ns = u.GetNamespace()
		if ns == "" {
			ns = metav1.NamespaceDefault
		}
	}
	u.SetNamespace(ns)
	rest.FillObjectMetaSystemFields(u)
	if u.GetName() == "" && u.GetGenerateName() != "" {
		u.SetName(v.strategy.GenerateName(u.GetGenerateName()))
	}
	ctx := genericapirequest.WithNamespace(context.Background(), ns)
	ctx = genericapirequest.WithRequestInfo(ctx, &genericapirequest.RequestInfo{
		IsResourceRequest: true, Verb: "create", APIGroup: v.gvk.Group, APIVersion: v.gvk.Version,
		Namespace: ns, Resource: v.plural, Name: u.GetName(),
	})
	v.strategy.PrepareForCreate(ctx, u)
	return rest.ValidateCreate(ctx, u, v.strategy)
}

// goFieldRE finds the field in a JSON type error ("Go struct field
// ObjectMeta.metadata.labels of type ...").
var goFieldRE = regexp.MustCompile(`Go struct field \w+\.([\w.]+) of type`)

// decodeErrorField places a decoding error at its field when the error
// names it, else at metadata (the only part decoded into a Go type).
func decodeErrorField(err error) string {
	var fe *fieldError
	if errors.As(err, &fe) {
		return fe.Field
	}
	if m := goFieldRE.FindStringSubmatch(err.Error()); m != nil {
		if strings.HasPrefix(m[1], "metadata.") {
			return m[1]
		}
		return "metadata." + m[1]
	}
	return "metadata"
}

// fieldError is the API server's validation error.
type fieldError = field.Error

// jsonCopy deep-copies decoded JSON the way a JSON round trip through the
// API server's decoder would (json.Marshal, then integers as int64): a
// float64 with an integral value below 2^63 is written without a fraction,
// so it comes back as an int64. ok is false for anything else (NaN, other
// Go types), which then takes the real round trip.
func jsonCopy(v any) (any, bool) {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			c, ok := jsonCopy(e)
			if !ok {
				return nil, false
			}
			out[k] = c
		}
		return out, true
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			c, ok := jsonCopy(e)
			if !ok {
				return nil, false
			}
			out[i] = c
		}
		return out, true
	case string, bool, int64, nil:
		return x, true
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, false
		}
		if x == math.Trunc(x) && math.Abs(x) < 1<<63 {
			return int64(x), true
		}
		return x, true
	}
	return nil, false
}
