package agreement

import (
	"errors"
	"regexp"
	"slices"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	utilerrors "k8s.io/apimachinery/pkg/util/errors"
)

var (
	// strictFieldRE finds the paths of strict field validation errors,
	// which the API server reports in a BadRequest message, not as causes:
	// `strict decoding error: unknown field "spec.replicass", duplicate field "x"`.
	strictFieldRE = regexp.MustCompile(`(?:unknown|duplicate) field "([^"]+)"`)
	// goFieldRE finds the path of a Go JSON decoding error:
	// `cannot unmarshal bool into Go struct field ObjectMeta.metadata.labels of type string`.
	goFieldRE = regexp.MustCompile(`Go struct field [A-Za-z0-9_]+\.(\S+) of type`)
)

// ServerPaths returns every field path an error of kubectl or the API server
// names: the Status causes of an Invalid error, the fields of strict
// decoding errors and the struct path of a Go decoding error (the API
// server's, or kubectl's own when it cannot read metadata). It looks into
// aggregated errors (kubectl joins the errors of a multi-object file).
func ServerPaths(err error) []Path {
	var out []Path
	add := func(p Path) {
		if !slices.ContainsFunc(out, p.Equal) {
			out = append(out, p)
		}
	}
	for _, e := range flatten(err) {
		var st apierrors.APIStatus
		if !errors.As(e, &st) {
			for _, m := range goFieldRE.FindAllStringSubmatch(e.Error(), -1) {
				if p, err := ParsePath(m[1]); err == nil {
					p.Loose = true
					add(p)
				}
			}
			continue
		}
		status := st.Status()
		if status.Details != nil {
			for _, c := range status.Details.Causes {
				// "<nil>" is a nil field.Path: a note such as "some
				// validation rules were not checked", not a field.
				if c.Field == "" || c.Field == "<nil>" {
					continue
				}
				if p, err := ParsePath(c.Field); err == nil {
					add(p)
				}
			}
		}
		for _, m := range strictFieldRE.FindAllStringSubmatch(status.Message, -1) {
			if p, err := ParsePath(m[1]); err == nil {
				add(p)
			}
		}
		for _, m := range goFieldRE.FindAllStringSubmatch(status.Message, -1) {
			if p, err := ParsePath(m[1]); err == nil {
				p.Loose = true
				add(p)
			}
		}
	}
	return out
}

// IsServerVerdict reports whether err is an answer of the API server (a
// Status), as opposed to kubectl failing before or without asking it.
func IsServerVerdict(err error) bool {
	for _, e := range flatten(err) {
		var st apierrors.APIStatus
		if errors.As(e, &st) {
			return true
		}
	}
	return false
}

func flatten(err error) []error {
	if err == nil {
		return nil
	}
	var agg utilerrors.Aggregate
	if errors.As(err, &agg) {
		var out []error
		for _, e := range agg.Errors() {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return []error{err}
}
