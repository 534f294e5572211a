package lint

import (
	"context"
	"fmt"
	"sync"

	"github.com/emmdev/emmdev/internal/crdvalidation"
	"github.com/emmdev/emmdev/internal/lint/finding"
	"github.com/emmdev/emmdev/internal/lint/loader"
	"github.com/emmdev/emmdev/internal/schema"
)

// crdChecks validates CustomResourceDefinitions and custom resources the
// way apiextensions-apiserver does (internal/crdvalidation), whichever
// schema engine validates the built-in kinds. It starts with the CRDs
// emmdev embeds (before loading, so the prevalidator can use them); the
// tree's CRDs are added once loaded (addTree), then it is read-only.
type crdChecks struct {
	set *crdvalidation.Set
	// linted maps the CRD objects being linted to their entry, so their
	// own problems are reported on them.
	linted map[*loader.Object]*crdvalidation.CRD
	// builtinGroups are the API groups the API server serves itself,
	// read once when a CRD needs them.
	builtinGroups func() (map[string]bool, error)
}

// isCRD matches the CustomResourceDefinitions the API server serves
// (apiextensions.k8s.io/v1; v1beta1 was removed in Kubernetes 1.22 and is
// an unknown kind like any other).
func isCRD(o *loader.Object) bool {
	return o.APIVersion == "apiextensions.k8s.io/v1" && o.Kind == "CustomResourceDefinition"
}

// newCRDChecks holds the CRDs emmdev embeds (SealedSecret).
func newCRDChecks() (*crdChecks, error) {
	c := &crdChecks{linted: map[*loader.Object]*crdvalidation.CRD{}, builtinGroups: sync.OnceValues(schema.BuiltinGroups)}
	c.set = crdvalidation.NewSet(crdvalidation.Options{BuiltinGroup: func(g string) bool {
		builtin, _ := c.builtinGroups() // its error is returned by addTree
		return builtin[g]
	}})
	docs, err := schema.EmbeddedCRDs()
	if err != nil {
		return nil, err
	}
	for _, d := range docs {
		if err := c.set.AddEmbedded(d.Data, d.Name); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// addTree registers the CRDs found in the linted objects, then in the
// context objects: the first declaration of a kind is the one used, and
// replaces an embedded one.
func (c *crdChecks) addTree(linted, context []*loader.Object) error {
	for i, set := range [][]*loader.Object{linted, context} {
		for _, o := range set {
			if !isCRD(o) {
				continue
			}
			if _, err := c.builtinGroups(); err != nil {
				return err
			}
			crd := c.set.Add(o.Obj, fmt.Sprintf("%s:%d", o.File, o.Line()))
			if i == 0 {
				c.linted[o] = crd
			}
		}
	}
	return nil
}

// check reports what the API server's CRD handling finds in o. It returns
// true when o is a custom resource of a known CRD: then this was its schema
// validation, and the schema engine must not look for it. A CRD object
// gets its own findings here and still goes through the schema engine.
func (c *crdChecks) check(ctx context.Context, e *engine, o *loader.Object, emit func(finding.Finding)) (bool, error) {
	if c == nil {
		return false, nil
	}
	if crd, ok := c.linted[o]; ok {
		c.report(e, o, crd.Check(), emit)
		return false, nil
	}
	crd, ok := c.set.Lookup(o.APIVersion, o.Kind)
	if !ok {
		return false, nil
	}
	if crd.Embedded() {
		issues, done, err := e.pre.crdResult(ctx, o, crd)
		if err != nil {
			return true, err
		}
		if done {
			c.report(e, o, issues, emit)
			return true, nil
		}
	}
	c.report(e, o, crd.Validate(o.Obj), emit)
	return true, nil
}

func (c *crdChecks) report(e *engine, o *loader.Object, issues []crdvalidation.Issue, emit func(finding.Finding)) {
	for _, is := range issues {
		var id string
		msg := is.Message
		switch is.Reason {
		case crdvalidation.UnknownField, crdvalidation.Malformed:
			// Every schema finding names its field first.
			id, msg = "schema", is.Field+": "+is.Message
		case crdvalidation.SchemaViolation:
			id = "schema" // the API server's message starts with the field
		case crdvalidation.Invalid:
			id = "api-validation"
		case crdvalidation.Unusable:
			id = "crd"
		case crdvalidation.NotValidated:
			if e.cfg.IgnoreMissingSchemas {
				continue
			}
			id = "unknown-kind"
		}
		ar, ok := e.builtins[id]
		if !ok || !ar.cfg.Enabled {
			continue
		}
		// Shown where the field is written; named as the API server names it.
		f := e.newFinding(ar, o, is.Path, msg)
		f.Path = is.FieldPath
		emit(f)
	}
}
