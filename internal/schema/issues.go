package schema

import (
	"fmt"
	"slices"
	"strings"

	jsonschema "github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// issuesFrom flattens a validation error tree into one Issue per leaf
// violation, sorted by path. kubeconform keeps only the first level of
// causes, which for schemas built from $refs is a useless "failed with
// <url>"; the leaves carry the actual field and reason.
func issuesFrom(ve *jsonschema.ValidationError) []Issue {
	p := message.NewPrinter(language.English)
	var out []Issue
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		switch e.ErrorKind.(type) {
		case *kind.AnyOf, *kind.OneOf:
			// The alternatives' own failures are noise; say what was expected.
			out = append(out, Issue{Path: clonePath(e.InstanceLocation), Message: alternativesMessage(e, p)})
			return
		}
		if len(e.Causes) > 0 {
			for _, c := range e.Causes {
				walk(c)
			}
			return
		}
		out = append(out, leafIssues(e, p)...)
	}
	walk(ve)
	slices.SortFunc(out, func(a, b Issue) int {
		if c := slices.Compare(a.Path, b.Path); c != 0 {
			return c
		}
		return strings.Compare(a.Message, b.Message)
	})
	return slices.CompactFunc(out, func(a, b Issue) bool {
		return a.Message == b.Message && slices.Equal(a.Path, b.Path)
	})
}

// leafIssues words one violation. Messages never quote the offending value:
// it may be a secret (Secret.data, env values).
func leafIssues(e *jsonschema.ValidationError, p *message.Printer) []Issue {
	at := e.InstanceLocation
	one := func(msg string) []Issue { return []Issue{{Path: clonePath(at), Message: msg}} }
	switch k := e.ErrorKind.(type) {
	case *kind.AdditionalProperties:
		// Point at each unknown field itself: it exists, so it has a line.
		var out []Issue
		for _, name := range k.Properties {
			out = append(out, Issue{Path: append(clonePath(at), name), Message: fmt.Sprintf("unknown field %q", name)})
		}
		return out
	case *kind.Required:
		// The field is absent, so the path is its parent object.
		var out []Issue
		for _, name := range k.Missing {
			out = append(out, Issue{Path: clonePath(at), Message: fmt.Sprintf("missing required field %q", name)})
		}
		return out
	case *kind.Type:
		want := slices.DeleteFunc(slices.Clone(k.Want), func(t string) bool { return t == "null" })
		if len(want) == 0 {
			want = k.Want
		}
		return one(fmt.Sprintf("wrong type: got %s, want %s", k.Got, strings.Join(want, " or ")))
	case *kind.Enum:
		want := make([]string, len(k.Want))
		for i, w := range k.Want {
			want[i] = fmt.Sprint(w)
		}
		return one("must be one of: " + strings.Join(want, ", "))
	case *kind.Const:
		return one(fmt.Sprintf("must be %v", k.Want))
	case *kind.Format:
		return one(formatMessage(k.Want))
	case *kind.Pattern:
		if strings.HasSuffix(e.SchemaURL, "/"+defQuantity) || k.Want == QuantityPattern {
			return one("not a valid quantity (examples: 500m, 2, 256Mi, 1Gi)")
		}
		return one(fmt.Sprintf("does not match the pattern %s", k.Want))
	case *kind.FalseSchema:
		return one("no value is allowed here")
	}
	return one(e.ErrorKind.LocalizedString(p))
}

// alternativesMessage summarises an anyOf/oneOf failure by the distinct
// reasons of its alternatives.
func alternativesMessage(e *jsonschema.ValidationError, p *message.Printer) string {
	if k, ok := e.ErrorKind.(*kind.OneOf); ok && len(k.Subschemas) > 1 {
		return "matches more than one of the allowed forms"
	}
	var reasons []string
	var leaves func(c *jsonschema.ValidationError)
	leaves = func(c *jsonschema.ValidationError) {
		if len(c.Causes) == 0 {
			for _, is := range leafIssues(c, p) {
				r := is.Message
				if rel := is.Path[min(len(e.InstanceLocation), len(is.Path)):]; len(rel) > 0 {
					r = strings.Join(rel, ".") + ": " + r
				}
				if !slices.Contains(reasons, r) {
					reasons = append(reasons, r)
				}
			}
			return
		}
		for _, cc := range c.Causes {
			leaves(cc)
		}
	}
	for _, c := range e.Causes {
		leaves(c)
	}
	if len(reasons) == 0 {
		return "matches none of the allowed forms"
	}
	return "matches none of the allowed forms (" + strings.Join(reasons, "; or ") + ")"
}

func clonePath(p []string) []string {
	if len(p) == 0 {
		return nil
	}
	return slices.Clone(p)
}

// formatMessage words a format violation without quoting the value.
func formatMessage(format string) string {
	switch format {
	case "byte":
		return "not valid base64 (values here must be base64-encoded)"
	case "date-time":
		return "not a valid RFC 3339 date-time (example: 2026-01-02T15:04:05Z)"
	case "duration":
		return "not a valid duration (examples: 90s, 1h30m, PT1H30M)"
	}
	return "not a valid " + format
}
