package limits

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v3"
)

// Edit sets resources.<Section>.<Resource> of a container to Value.
type Edit struct {
	Container *Container
	Section   string // "limits" or "requests"
	Resource  string // CPU or Memory
	Value     string
}

// patch replaces data[start:end] with text (an insertion when start == end).
type patch struct {
	start, end int
	text       string
	order      int // keeps insertions at one offset in the order asked
}

// Apply returns data with the edits made in place: an existing value is
// replaced inside its own token (quotes kept), a missing key is added as a
// new line indented like its siblings. Every other byte (comments, order,
// blank lines, quoting elsewhere) is left as it was. data must be the bytes
// the containers were parsed from.
func Apply(file string, data []byte, edits []Edit) ([]byte, error) {
	lines := lineStarts(data)
	var patches []patch
	// Keys to add, per mapping and section (a missing "limits:" and a
	// missing "requests:" both go into resources, as two blocks).
	type target struct {
		m       *yaml.Node
		section string
	}
	inserts := map[target][]Edit{}
	var order []target
	for _, e := range edits {
		if _, n := e.Container.Value(e.Section, e.Resource); n != nil {
			p, err := replaceScalar(file, data, lines, n, e.Value)
			if err != nil {
				return nil, err
			}
			patches = append(patches, p)
			continue
		}
		m := e.Container.requests
		if e.Section == "limits" {
			m = e.Container.limits
		}
		if m == nil {
			m = e.Container.resources
		}
		if m == nil || m.Kind != yaml.MappingNode || m.Style&yaml.FlowStyle != 0 || len(m.Content) == 0 {
			return nil, fmt.Errorf("%s:%d: container %q: no block mapping to add resources.%s.%s to; add it by hand",
				file, e.Container.Line, e.Container.Name, e.Section, e.Resource)
		}
		k := target{m, e.Section}
		if _, seen := inserts[k]; !seen {
			order = append(order, k)
		}
		inserts[k] = append(inserts[k], e)
	}
	for i, k := range order {
		p := insertKeys(data, lines, k.m, inserts[k])
		p.order = i
		patches = append(patches, p)
	}
	// Apply back to front so earlier offsets stay valid.
	slices.SortStableFunc(patches, func(a, b patch) int {
		if a.start != b.start {
			return b.start - a.start
		}
		return b.order - a.order
	})
	out := slices.Clone(data)
	for i, p := range patches {
		if i > 0 && p.end > patches[i-1].start {
			return nil, fmt.Errorf("%s: overlapping edits at byte %d", file, p.start)
		}
		out = slices.Concat(out[:p.start], []byte(p.text), out[p.end:])
	}
	return out, nil
}

// lineStarts are the byte offsets where each line begins (index 0 = line 1).
func lineStarts(data []byte) []int {
	starts := []int{0}
	for i, b := range data {
		if b == '\n' {
			starts = append(starts, i+1)
		}
	}
	return starts
}

// offset converts a yaml.v3 position (1-based line, 1-based column in
// characters) to a byte offset.
func offset(data []byte, lines []int, line, col int) (int, error) {
	if line < 1 || line > len(lines) {
		return 0, fmt.Errorf("line %d out of range", line)
	}
	off := lines[line-1]
	for c := 1; c < col; c++ {
		_, size := utf8.DecodeRune(data[off:])
		if size == 0 || data[off] == '\n' {
			return 0, fmt.Errorf("column %d past the end of line %d", col, line)
		}
		off += size
	}
	return off, nil
}

func replaceScalar(file string, data []byte, lines []int, n *yaml.Node, value string) (patch, error) {
	start, err := offset(data, lines, n.Line, n.Column)
	if err != nil {
		return patch{}, fmt.Errorf("%s:%d: %w", file, n.Line, err)
	}
	var end int
	var text string
	switch {
	case n.Style == 0:
		end = start + len(n.Value)
		if end > len(data) || string(data[start:end]) != n.Value {
			return patch{}, fmt.Errorf("%s:%d: value %q is not where the parser put it; not rewriting", file, n.Line, n.Value)
		}
		text = value
	case n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0:
		q := data[start]
		i := bytes.IndexByte(data[start+1:], q)
		if i < 0 || bytes.IndexByte(data[start+1:start+1+i], '\n') >= 0 || string(data[start+1:start+1+i]) != n.Value {
			return patch{}, fmt.Errorf("%s:%d: quoted value %q spans lines or has escapes; not rewriting", file, n.Line, n.Value)
		}
		end = start + 1 + i + 1
		text = string(q) + value + string(q)
	default:
		return patch{}, fmt.Errorf("%s:%d: value %q is a block scalar; not rewriting", file, n.Line, n.Value)
	}
	return patch{start: start, end: end, text: text}, nil
}

// insertKeys adds "key: value" lines (or a whole "limits:"/"requests:"
// block when the mapping is resources itself) after the last line of the
// block mapping m, indented like m's own keys.
func insertKeys(data []byte, lines []int, m *yaml.Node, edits []Edit) patch {
	indent := m.Content[0].Column - 1
	var b strings.Builder
	section := edits[0].Section
	isResources := edits[0].Container.resources == m
	if isResources {
		// Children of the new section indent like those of a sibling
		// section when there is one, else by two.
		step := 2
		for _, sib := range []*yaml.Node{edits[0].Container.requests, edits[0].Container.limits} {
			if sib != nil && sib.Kind == yaml.MappingNode && len(sib.Content) > 0 && sib.Style&yaml.FlowStyle == 0 {
				step = sib.Content[0].Column - 1 - indent
			}
		}
		b.WriteString(strings.Repeat(" ", indent) + section + ":\n")
		indent += max(step, 1)
	}
	for _, e := range edits {
		b.WriteString(strings.Repeat(" ", indent) + e.Resource + ": " + e.Value + "\n")
	}
	last := lastLine(m)
	var at int
	if last < len(lines) {
		at = lines[last] // start of the line after the mapping
	} else {
		at = len(data)
		if at > 0 && data[at-1] != '\n' {
			return patch{start: at, end: at, text: "\n" + b.String()}
		}
	}
	return patch{start: at, end: at, text: b.String()}
}

// lastLine is the highest line any node below n starts on.
func lastLine(n *yaml.Node) int {
	l := n.Line
	for _, c := range n.Content {
		l = max(l, lastLine(c))
	}
	return l
}
