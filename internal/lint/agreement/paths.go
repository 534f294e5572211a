package agreement

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Path is a field path as a list of segments: field names, list indexes
// ("0") and map keys, so `spec.containers[0].name` (the API server's
// field.Path syntax) and emmdev's []string{"spec", "containers", "0",
// "name"} compare equal without either side's syntax leaking in.
type Path struct {
	Segs []string
	// Loose marks a path from a Go JSON decoding error ("cannot unmarshal
	// bool into Go struct field EnvVar.spec.containers.env.value"), which
	// names struct fields only: no list indexes, no map keys.
	Loose bool
	// Raw is the path as the API server wrote it ("" for paths built
	// otherwise); a finding may quote it.
	Raw string
}

// ParsePath reads the API server's field.Path syntax: names joined by dots,
// indexes and map keys in brackets (`metadata.labels[app.kubernetes.io/name]`).
// A key may itself contain dots, brackets or spaces: it runs to the `]` that
// is followed by the end, `.` or `[`.
func ParsePath(s string) (Path, error) {
	var segs []string
	for i := 0; i < len(s); {
		switch s[i] {
		case '.':
			if i == 0 || i == len(s)-1 {
				return Path{}, fmt.Errorf("field path %q: stray dot", s)
			}
			i++
		case '[':
			end := closing(s, i+1)
			if end < 0 {
				return Path{}, fmt.Errorf("field path %q: unclosed [", s)
			}
			segs = append(segs, s[i+1:end])
			i = end + 1
		default:
			j := i
			for j < len(s) && s[j] != '.' && s[j] != '[' {
				j++
			}
			segs = append(segs, s[i:j])
			i = j
		}
	}
	if len(segs) == 0 {
		return Path{}, fmt.Errorf("empty field path")
	}
	return Path{Segs: segs, Raw: s}, nil
}

func closing(s string, from int) int {
	for j := from; j < len(s); j++ {
		if s[j] == ']' && (j == len(s)-1 || s[j+1] == '.' || s[j+1] == '[') {
			return j
		}
	}
	return -1
}

// MustPath is ParsePath for paths known to be well formed (tests, headers
// already checked).
func MustPath(s string) Path {
	p, err := ParsePath(s)
	if err != nil {
		panic(err)
	}
	return p
}

// LoosePrefix marks a Loose path in a case header and in reports.
const LoosePrefix = "decode:"

// ParseHeaderPath reads a `# path:` value: the API server's syntax, with
// LoosePrefix for a path taken from a Go JSON decoding error.
func ParseHeaderPath(s string) (Path, error) {
	rest, loose := strings.CutPrefix(s, LoosePrefix)
	p, err := ParsePath(rest)
	p.Loose = loose
	return p, err
}

// String renders the path in the API server's syntax (a header's syntax
// for Loose paths).
func (p Path) String() string {
	s := FormatSegs(p.Segs)
	if p.Loose {
		s = LoosePrefix + s
	}
	return s
}

// FormatSegs renders segments in the API server's syntax: indexes and keys
// that are not plain names in brackets.
func FormatSegs(segs []string) string {
	var b strings.Builder
	for i, s := range segs {
		switch {
		case isIndex(s) || !plainName(s):
			b.WriteString("[" + s + "]")
		default:
			if i > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s)
		}
	}
	return b.String()
}

func isIndex(s string) bool {
	n, err := strconv.Atoi(s)
	return err == nil && n >= 0 && strconv.Itoa(n) == s
}

func plainName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		switch {
		case r == '_', r == '-', r == '$', '0' <= r && r <= '9', 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z':
		default:
			return false
		}
	}
	return true
}

// Covers reports whether an emmdev finding at segs names this API server
// path: the same segments, or, for a Loose path, the same field names once
// the finding's list indexes are dropped (the finding may go on into the
// map key the decoding error cannot name).
func (p Path) Covers(segs []string) bool {
	if !p.Loose {
		return slices.Equal(p.Segs, segs)
	}
	names := make([]string, 0, len(segs))
	for _, s := range segs {
		if !isIndex(s) {
			names = append(names, s)
		}
	}
	return len(names) >= len(p.Segs) && slices.Equal(names[:len(p.Segs)], p.Segs)
}

// NamedBy reports whether finding f names this path: at its own path
// (Covers), or, failing that, by quoting the API server's path verbatim in
// its message. The second way exists for paths that name no field of the
// file: the API server reports a CRD's schema errors under
// spec.validation.openAPIV3Schema (its internal form), where the file has
// spec.versions[i].schema.openAPIV3Schema; emmdev reports them at the file's
// field and quotes the API server's message, path included.
func (p Path) NamedBy(f Finding) (named, inMessage bool) {
	if p.Covers(f.Path) {
		return true, false
	}
	if !p.Loose && p.Raw != "" && strings.Contains(f.Message, p.Raw) {
		return true, true
	}
	return false, false
}

// Equal compares two paths segment by segment.
func (p Path) Equal(q Path) bool { return p.Loose == q.Loose && slices.Equal(p.Segs, q.Segs) }
