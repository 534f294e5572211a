package lint

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/runtime"

	"github.com/emmdev/emmdev/internal/apivalidation"
	"github.com/emmdev/emmdev/internal/lint/finding"
	"github.com/emmdev/emmdev/internal/lint/loader"
	"github.com/emmdev/emmdev/internal/schema"
)

// NativeValidator is the API server's own validation of built-in kinds
// (*apivalidation.Validator).
type NativeValidator interface {
	Handles(apiVersion, kind string) bool
	Validate(ctx context.Context, obj map[string]any) ([]apivalidation.Issue, error)
}

// decodingValidator also returns the object it decoded (see
// apivalidation.Validator.ValidateDecoded).
type decodingValidator interface {
	ValidateDecoded(ctx context.Context, obj map[string]any) ([]apivalidation.Issue, runtime.Object, error)
}

// checkNative reports what the API server rejects in a built-in object. It
// is the authority for these kinds: the JSON-schema step only runs when the
// API server rejects something, and only lends its wording to a field the
// decoder rejected too. So a null the API server drops, or a field the
// schema marks required that the API server defaults, is no finding, and
// no field is reported twice.
//
// When decoded is not nil and the validator can (decodingValidator), it is
// set to the object as decoded and defaulted, for the CEL rules.
func (e *engine) checkNative(ctx context.Context, o *loader.Object, emit func(finding.Finding), decoded *runtime.Object) error {
	var issues []apivalidation.Issue
	var err error
	var dv runtime.Object
	var done bool
	if issues, dv, done, err = e.pre.result(ctx, o, decoded != nil); done || err != nil {
		if decoded != nil {
			*decoded = dv
		}
	} else if v, ok := e.native.(decodingValidator); ok && decoded != nil {
		issues, *decoded, err = v.ValidateDecoded(ctx, o.Obj)
	} else {
		issues, err = e.native.Validate(ctx, o.Obj)
	}
	if err != nil {
		return fmt.Errorf("%s:%d: validating %s: %w", o.File, o.Line(), o.Ref(), err)
	}
	if len(issues) == 0 {
		return nil
	}
	var friendlier []schema.Issue
	if slices.ContainsFunc(issues, func(is apivalidation.Issue) bool { return is.Kind != apivalidation.Invalid }) {
		s, err := e.validator.Validate(o.Obj)
		if err != nil && !errors.Is(err, schema.ErrNoSchema) {
			return fmt.Errorf("%s:%d: validating %s: %w", o.File, o.Line(), o.Ref(), err)
		}
		friendlier = s
	}
	sc, av := e.builtins["schema"], e.builtins["api-validation"]
	for _, is := range issues {
		ar, msg := av, is.Message
		if is.Kind != apivalidation.Invalid {
			ar = sc
			for _, s := range friendlier {
				if slices.Equal(s.Path, is.Path) {
					msg = s.Message
					break
				}
			}
		}
		if !ar.cfg.Enabled {
			continue
		}
		f := e.newFinding(ar, o, is.Path, fieldMessage(is.Path, msg))
		if c, ok := o.Coerced(is.Path...); ok && is.Kind == apivalidation.Decode && wantsString(is.Message, msg) {
			// Say what kubectl read, where the value is written: the
			// API server wants text, and quoting gives it text.
			f.Message = fieldMessage(is.Path, c.Message()+" ("+msg+")")
			f.Line, f.Col = c.Line, c.Col
		}
		emit(f)
	}
	return nil
}

// fieldMessage names the field first, as the API server does
// (spec.replicas: Invalid value: -1: must be greater than or equal to 0),
// so every output format says which field a finding is about.
func fieldMessage(path []string, msg string) string {
	if len(path) == 0 {
		return msg
	}
	return finding.FieldPath(path) + ": " + msg
}

// wantsString reports whether a decode error is about a field that takes a
// string (or an int-or-string), from the decoder's or the schema's words.
func wantsString(native, friendly string) bool {
	return strings.HasSuffix(native, "of type string") || strings.Contains(native, "IntOrString") ||
		strings.HasSuffix(friendly, "want string") || strings.HasSuffix(friendly, "or string")
}

// schemaValidator builds the schema validator on first use only: built-in
// objects the API server accepts never reach it, and parsing the embedded
// schema set is a tenth of a one-file pre-commit run. (CRDs are checked by
// crdChecks, not here.)
func schemaValidator(newV func(schema.Options) (Validator, error), o schema.Options) (Validator, error) {
	return &lazyValidator{build: sync.OnceValues(func() (Validator, error) { return newV(o) })}, nil
}

type lazyValidator struct {
	build func() (Validator, error)
}

func (l *lazyValidator) Validate(obj map[string]any) ([]schema.Issue, error) {
	v, err := l.build()
	if err != nil {
		return nil, fmt.Errorf("loading schemas: %w", err)
	}
	return v.Validate(obj)
}
