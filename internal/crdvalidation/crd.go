package crdvalidation

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/registry/rest"
)

func (c *CRD) compile() { c.once.Do(c.doCompile) }

func (c *CRD) doCompile() {
	// The API server turns a panic in a request into a 500; a lint run must
	// not die on one CRD either.
	defer func() {
		if r := recover(); r != nil {
			c.versions = nil
			c.markUnusable(fmt.Sprintf("validating it failed inside the API server's code (%v)", r))
		}
	}()
	if !c.embedded {
		// An incomplete CRD is most likely a kustomize patch: say so once,
		// at the object, next to the API server's own errors.
		if missing := missingFields(c.obj); len(missing) > 0 {
			c.unusable = "it is incomplete (no " + strings.Join(missing, ", ") + ")"
			c.issues = append(c.issues, Issue{
				Reason: Unusable,
				Message: fmt.Sprintf("incomplete CustomResourceDefinition (no %s): the API server rejects it, so it is not used to validate %s; "+
					"if this is a kustomize patch, lint the rendered output instead (emmdev lint -k DIR)",
					strings.Join(missing, ", "), c.describeKind()),
			})
		}
		c.checkConflicts()
	}
	e := c.set.env()
	v1crd, internal, strictErr, err := decodeCRD(e, c.obj)
	if err != nil {
		// A wrong type: the schema check reports it at its field; the API
		// server answers 400 and creates nothing.
		c.markUnusable(fmt.Sprintf("the API server cannot decode it (%v)", err))
		return
	}
	if strictErr != "" {
		// Unknown or duplicate fields: reported by the schema check too.
		c.markUnusable("strict field validation rejects it (" + strictErr + ")")
	}
	if !c.embedded {
		for _, fe := range validateCRDCreate(e, internal) {
			c.issues = append(c.issues, Issue{Reason: Invalid, Path: resolveCRDPath(c.obj, fe.Field), Field: fe.Field,
				FieldPath: resolvePath(c.obj, fe.Field), Message: fe.Error()})
			c.markUnusable("the API server rejects it (" + fe.Error() + ")")
		}
	}
	if c.unusable != "" {
		return
	}
	versions, served, err := compileVersions(e, v1crd)
	if err != nil {
		c.markUnusable(err.Error())
		return
	}
	c.versions, c.served = versions, served
}

// markUnusable keeps the first reason.
func (c *CRD) markUnusable(why string) {
	if c.unusable == "" {
		c.unusable = why
	}
}

// checkConflicts reports a CRD that cannot take effect for its group/kind.
func (c *CRD) checkConflicts() {
	if c.gk.Group != "" && c.set.opts.BuiltinGroup(c.gk.Group) {
		msg := fmt.Sprintf("spec.group: %q is an API group the API server serves itself; a CustomResourceDefinition cannot replace its kinds, "+
			"so %s keeps the built-in checks and this CRD is not used", c.gk.Group, c.describeKind())
		c.issues = append(c.issues, Issue{Reason: Unusable, Path: []string{"spec", "group"}, Field: "spec.group", FieldPath: []string{"spec", "group"}, Message: msg})
		c.markUnusable("it declares the built-in API group " + strconv.Quote(c.gk.Group))
	}
	if c.dupOf != nil {
		msg := fmt.Sprintf("spec.names.kind: %s is already declared by CustomResourceDefinition %s (%s); this one is not used",
			c.describeKind(), c.dupOf.name, c.dupOf.origin)
		c.issues = append(c.issues, Issue{Reason: Unusable, Path: []string{"spec", "names", "kind"}, Field: "spec.names.kind", FieldPath: []string{"spec", "names", "kind"}, Message: msg})
		c.markUnusable("another CRD declares the same kind")
	}
}

func (c *CRD) describeKind() string {
	switch {
	case c.gk.Kind == "":
		return "its kinds"
	case c.gk.Group == "":
		return c.gk.Kind
	}
	return c.gk.Group + "/" + c.gk.Kind
}

// missingFields lists what a CRD that could ever be created must have and
// this one lacks: a kustomize patch usually lacks most of it. The names
// are the API server's field paths.
func missingFields(obj map[string]any) []string {
	var missing []string
	need := func(path string, keys ...string) {
		if s, _ := dig(obj, keys...).(string); s == "" {
			missing = append(missing, path)
		}
	}
	need("spec.group", "spec", "group")
	need("spec.names.plural", "spec", "names", "plural")
	need("spec.names.kind", "spec", "names", "kind")
	need("spec.scope", "spec", "scope")
	versions, _ := dig(obj, "spec", "versions").([]any)
	if len(versions) == 0 {
		return append(missing, "spec.versions")
	}
	for i, v := range versions {
		if _, ok := dig(v, "schema", "openAPIV3Schema").(map[string]any); !ok {
			missing = append(missing, fmt.Sprintf("spec.versions[%d].schema.openAPIV3Schema", i))
		}
	}
	return missing
}

// decodeCRD decodes like the API server with fieldValidation=Strict: JSON
// into apiextensions.k8s.io/v1, defaulted, then converted to the internal
// type the registry validates. strictErr is set for unknown or duplicate
// fields (the objects are still returned).
func decodeCRD(e *env, obj map[string]any) (*apiextensionsv1.CustomResourceDefinition, *apiextensions.CustomResourceDefinition, string, error) {
	data, err := json.Marshal(obj)
	if err != nil {
		return nil, nil, "", err
	}
	out, _, err := e.codecs.UniversalDecoder(apiextensionsv1.SchemeGroupVersion).Decode(data, nil, nil)
	strictErr := ""
	if err != nil {
		se, ok := runtime.AsStrictDecodingError(err)
		if !ok || out == nil {
			return nil, nil, "", err
		}
		strictErr = se.Error()
	}
	v1crd, ok := out.(*apiextensionsv1.CustomResourceDefinition)
	if !ok {
		return nil, nil, "", fmt.Errorf("decoded a %T, want a CustomResourceDefinition", out)
	}
	internal := &apiextensions.CustomResourceDefinition{}
	if err := e.scheme.Convert(v1crd.DeepCopy(), internal, nil); err != nil {
		return nil, nil, "", err
	}
	return v1crd, internal, strictErr, nil
}

// validateCRDCreate runs what rest.BeforeCreate runs for a CRD: the
// namespace rule of a cluster-scoped object, the system fields, the
// strategy's PrepareForCreate and the create validation.
func validateCRDCreate(e *env, crd *apiextensions.CustomResourceDefinition) field.ErrorList {
	ctx := genericapirequest.WithNamespace(context.Background(), "")
	ctx = genericapirequest.WithRequestInfo(ctx, &genericapirequest.RequestInfo{
		IsResourceRequest: true, Verb: "create", APIGroup: apiextensions.GroupName, APIVersion: "v1",
		Resource: "customresourcedefinitions", Name: crd.Name,
	})
	crd.Namespace = ""
	rest.FillObjectMetaSystemFields(crd)
	if crd.Name == "" && crd.GenerateName != "" {
		crd.Name = e.crd.GenerateName(crd.GenerateName)
	}
	e.crd.PrepareForCreate(ctx, crd)
	return rest.ValidateCreate(ctx, crd, e.crd)
}

// crdInternalPaths maps fields of the internal CRD type that the API server
// names in its messages to where they are written in a v1 CRD: when every
// version has the same schema, subresources or columns, the conversion to
// the internal type moves them to the spec.
var crdInternalPaths = [][2]string{
	{"spec.validation", "spec.versions[0].schema"},
	{"spec.subresources", "spec.versions[0].subresources"},
	{"spec.additionalPrinterColumns", "spec.versions[0].additionalPrinterColumns"},
	{"spec.selectableFields", "spec.versions[0].selectableFields"},
	{"spec.version", "spec.versions[0].name"},
}

func resolveCRDPath(obj map[string]any, fieldPath string) []string {
	for _, m := range crdInternalPaths {
		if rest, ok := strings.CutPrefix(fieldPath, m[0]); ok && (rest == "" || rest[0] == '.' || rest[0] == '[') {
			fieldPath = m[1] + rest
			break
		}
	}
	return resolvePath(obj, fieldPath)
}
