package loader

import "strings"

// flow reads a flow collection that opens at i and closes on the same line
// ("[a, 'b', 3]", "{cpu: 100m, memory: 64Mi}", nested ones), returning it
// with the offset after its closing bracket. Multi-line collections,
// JSON-style "key":value pairs, empty values, ':' inside a plain scalar and
// trailing commas are left to yaml.v3.
func (f *fastParser) flow(l srcLine, i, depth int) (converted, int) {
	if depth >= f.maxDepth {
		panic(unsure{})
	}
	mapping := f.src[i] == '{'
	closing := byte(']')
	if mapping {
		closing = '}'
	}
	sc := f.level(depth)
	var m map[string]any
	if mapping {
		m = map[string]any{}
	}
	end := func(j int) (converted, int) {
		pn := f.pnode(sc, l.num, i-l.start+1, !mapping)
		if mapping {
			return converted{v: m, pos: pn}, j + 1
		}
		return converted{v: sc.list(), pos: pn}, j + 1
	}
	j := skipSpaces(f.src, i+1, l.end)
	if j < l.end && f.src[j] == closing {
		return end(j)
	}
	for {
		if j == l.end {
			panic(unsure{})
		}
		start := j
		var key string
		if mapping {
			var raw string
			plain := false
			if c := f.src[j]; c == '\'' || c == '"' {
				raw, j = f.quoted(j, l.end)
				j = skipSpaces(f.src, j, l.end)
			} else {
				raw, j = f.flowPlain(j, l.end)
				plain = true
			}
			// Over-long keys: yaml.v3 takes none of more than 1024
			// characters, as in block context.
			if j+1 >= l.end || f.src[j] != ':' || f.src[j+1] != ' ' || plain && raw == "<<" || j-start > 1000 {
				panic(unsure{})
			}
			key = keyOf(raw, plain)
			if _, dup := m[key]; dup {
				panic(unsure{})
			}
			j = skipSpaces(f.src, j+1, l.end)
			if j == l.end {
				panic(unsure{})
			}
		}
		var cv converted
		cv, j = f.node(l, j, depth+1, f.flowPlain)
		e := pentry{line: int32(l.num), col: int32(start - l.start + 1), child: cv.pos, note: cv.note}
		if mapping {
			e.key = key
			m[key] = cv.v
		} else {
			sc.vals = append(sc.vals, cv.v)
		}
		sc.add(f, e)
		j = skipSpaces(f.src, j, l.end)
		if j == l.end {
			panic(unsure{})
		}
		switch f.src[j] {
		case closing:
			return end(j)
		case ',':
			j = skipSpaces(f.src, j+1, l.end)
			if j < l.end && f.src[j] == closing {
				panic(unsure{}) // a trailing comma
			}
		default:
			panic(unsure{})
		}
	}
}

// flowPlain reads a plain scalar in flow context: it ends before a flow
// indicator or a ':'; the offset returned is after its last non-space.
func (f *fastParser) flowPlain(i, end int) (string, int) {
	if !plainStart(f.src, i, end) {
		panic(unsure{})
	}
	j := i
	for j < end {
		c := f.src[j]
		if c == ',' || c == ']' || c == '}' || c == ':' {
			break
		}
		// yaml.v3 (libyaml's YAML 1.1 rules) also ends a plain scalar
		// at a '?' in flow context: "[x?]" is an error there.
		if !plainByte(c) || c == '#' || c == '[' || c == '{' || c == '?' {
			panic(unsure{})
		}
		j++
	}
	raw := strings.TrimRight(f.src[i:j], " ")
	return raw, i + len(raw)
}
