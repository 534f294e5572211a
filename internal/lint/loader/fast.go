package loader

import "strings"

// fastParser reads the plain block YAML that nearly every manifest is made
// of (block mappings and sequences, one-line plain and quoted scalars, `|`
// and `>` block scalars, one-line flow collections, comments, `---`)
// straight into the converter's output: JSON values and, when asked, the
// position index and scalar notes, with keys and values sliced from one
// copy of the file. yaml.v3 builds a Node per scalar first; on a
// repository of manifests that tree was the largest allocation of a lint
// run and its parsing a third of the CPU time.
//
// It never decides anything yaml.v3 would decide differently: whatever it
// is not sure of (anchors, tags, multi-line flow collections and scalars,
// escapes, more-indented folded lines, tabs, CR line breaks, non-ASCII text
// outside comments, duplicate keys, empty values, errors of any kind)
// makes it give up on the document, and docSource hands the file from that
// document on to yaml.v3 and the converter. compareFast (fast_test.go),
// FuzzFastPath and FuzzFastPathGenerated check that both agree.
type fastParser struct {
	src      string
	pos      int // start of the next line to read
	line     int // 1-based number of the line at pos
	maxDepth int
	// positions: build the position index and notes too. Off when loading
	// (Object.positions reads the document again on first use).
	positions bool
	notes     []scalarNote

	peeked bool
	next   srcLine

	// scratch[d] collects the entries of the collection being read at
	// depth d, copied out at its exact size when it ends: a slice grown
	// by append would keep up to twice the room with every object.
	scratch []*scratch
}

type scratch struct {
	ents []pentry
	vals []any
}

// level returns the empty scratch space of depth d.
func (f *fastParser) level(d int) *scratch {
	for len(f.scratch) <= d {
		f.scratch = append(f.scratch, &scratch{})
	}
	s := f.scratch[d]
	s.ents, s.vals = s.ents[:0], s.vals[:0]
	return s
}

// add records an entry's position (when positions are wanted).
func (s *scratch) add(f *fastParser, e pentry) {
	if f.positions {
		s.ents = append(s.ents, e)
	}
}

// pnode returns the position index of the collection in s, or nil when
// positions are not wanted.
func (f *fastParser) pnode(s *scratch, line, col int, seq bool) *pnode {
	if !f.positions {
		return nil
	}
	return &pnode{line: int32(line), col: int32(col), seq: seq, ents: append(make([]pentry, 0, len(s.ents)), s.ents...)}
}

// list returns a copy of the values.
func (s *scratch) list() []any {
	return append(make([]any, 0, len(s.vals)), s.vals...)
}

// unsure is the fast path giving up (a panic recovered by document); it
// never reaches a user.
type unsure struct{}

func newFastParser(data []byte, maxDepth int) *fastParser {
	if !readerAccepts(data) {
		// yaml.v3's reader checks the text ahead of what it parses, in
		// chunks of 512 bytes and more: a control character or bad UTF-8
		// in a later document can be an error of an earlier one, which the
		// fast path would already have returned. (CR is refused here too:
		// yaml.v3 counts its line breaks its own way.)
		return nil
	}
	return &fastParser{src: string(data), line: 1, maxDepth: maxDepth}
}

// fastDoc is one document the fast path read.
type fastDoc struct {
	cv             converted
	line, col      int
	notes          []scalarNote
	empty, eof     bool
	off, startLine int // where document started reading
}

// document reads the next document; ok is false when the fast path gives
// up (the parser must not be used after that).
func (f *fastParser) document() (d fastDoc, ok bool) {
	defer func() {
		if r := recover(); r != nil {
			if _, is := r.(unsure); !is {
				panic(r)
			}
			ok = false
		}
	}()
	f.notes = nil
	off, startLine := f.pos, f.line
	if f.peeked {
		off, startLine = f.next.start, f.next.num
	}
	l := f.peek()
	switch l.kind {
	case lineEOF:
		return fastDoc{eof: true}, true
	case lineDocStart:
		f.expectEnd(l.start+3, l.end)
		f.consumeTo(l.end)
		switch l = f.peek(); l.kind {
		case lineEOF, lineDocStart:
			return fastDoc{empty: true}, true
		case lineUnsure:
			panic(unsure{})
		}
	case lineUnsure:
		panic(unsure{})
	}
	if l.indent != 0 {
		panic(unsure{})
	}
	f.consumeTo(l.end)
	cv := f.mapping(l, l.text, 0, 0)
	if f.peek().kind == lineContent || f.peek().kind == lineUnsure {
		panic(unsure{})
	}
	return fastDoc{cv: cv, line: l.num, col: 1, notes: f.notes, off: off, startLine: startLine}, true
}

// mapping reads a block mapping whose keys start at column indent+1; the
// first key is at offset p of line l (after "- " for a mapping in a list).
func (f *fastParser) mapping(l srcLine, p, indent, depth int) converted {
	if depth >= f.maxDepth {
		panic(unsure{})
	}
	out := map[string]any{}
	line, col := l.num, p-l.start+1
	sc := f.level(depth)
	for {
		key, after := f.key(l, p)
		if _, dup := out[key]; dup {
			panic(unsure{})
		}
		cv := f.value(l, after, indent, depth+1)
		out[key] = cv.v
		sc.add(f, pentry{key: key, line: int32(l.num), col: int32(p - l.start + 1), child: cv.pos, note: cv.note})
		next := f.peek()
		if next.kind != lineContent || next.indent < indent {
			return converted{v: out, pos: f.pnode(sc, line, col, false)}
		}
		if next.indent > indent || isEntry(f.src, next.text, next.end) {
			panic(unsure{})
		}
		f.consumeTo(next.end)
		l, p = next, next.text
	}
}

// isEntry reports a block sequence entry ("- " or a lone "-") at i.
func isEntry(src string, i, end int) bool {
	return src[i] == '-' && (i+1 == end || src[i+1] == ' ')
}

// key reads a mapping key at p and returns it with the offset after its ':'.
func (f *fastParser) key(l srcLine, p int) (string, int) {
	var raw string
	var i int
	plain := false
	switch c := f.src[p]; c {
	case '\'', '"':
		raw, i = f.quoted(p, l.end)
		for i < l.end && f.src[i] == ' ' {
			i++
		}
		if i-p > 1000 {
			// yaml.v3 takes no key of more than 1024 characters, quoted
			// or not ("could not find expected ':'").
			panic(unsure{})
		}
		if i == l.end || f.src[i] != ':' || i+1 < l.end && f.src[i+1] != ' ' {
			panic(unsure{})
		}
	default:
		if !plainStart(f.src, p, l.end) {
			panic(unsure{})
		}
		plain = true
		i = p
		for {
			if i == l.end {
				panic(unsure{})
			}
			c := f.src[i]
			if c == ':' && (i+1 == l.end || f.src[i+1] == ' ') {
				break
			}
			if c == '#' && f.src[i-1] == ' ' || !plainByte(c) {
				panic(unsure{})
			}
			i++
		}
		raw = strings.TrimRight(f.src[p:i], " ")
		if raw == "<<" || i-p > 1000 {
			panic(unsure{}) // merge keys; over-long implicit keys
		}
	}
	return keyOf(raw, plain), i + 1
}

// keyOf is the JSON key kubectl makes of a scalar key, like converter.key.
func keyOf(raw string, plain bool) string {
	if !plain || plainIsString(raw) {
		return raw
	}
	v, _ := resolvePlain(raw)
	s, ok := keyString(v)
	if !ok {
		panic(unsure{})
	}
	return s
}

// value reads the value after a mapping key's ':' at offset i of line l.
func (f *fastParser) value(l srcLine, i, indent, depth int) converted {
	afterColon := i
	i = skipSpaces(f.src, i, l.end)
	if i == l.end || f.src[i] == '#' {
		f.expectEnd(afterColon, l.end)
		next := f.peek()
		if next.kind != lineContent {
			panic(unsure{}) // an empty value: null, placed by yaml.v3's rules
		}
		switch {
		case next.indent > indent && isEntry(f.src, next.text, next.end),
			next.indent == indent && isEntry(f.src, next.text, next.end):
			f.consumeTo(next.end)
			return f.sequence(next, next.indent, depth)
		case next.indent > indent:
			f.consumeTo(next.end)
			return f.mapping(next, next.text, next.indent, depth)
		}
		panic(unsure{})
	}
	if c := f.src[i]; c == '|' || c == '>' {
		return f.block(l, i, indent)
	}
	return f.inline(l, i, depth)
}

// inline reads a scalar or a flow collection that ends its line.
func (f *fastParser) inline(l srcLine, i, depth int) converted {
	cv, end := f.node(l, i, depth, f.plainValue)
	f.expectEnd(end, l.end)
	return cv
}

// node reads a flow collection, a quoted scalar or a plain one (read by
// plain, which differs in block and flow context) at i, and returns it
// with the offset after it.
func (f *fastParser) node(l srcLine, i, depth int, plain func(i, end int) (string, int)) (converted, int) {
	switch f.src[i] {
	case '[', '{':
		return f.flow(l, i, depth)
	case '\'', '"':
		s, end := f.quoted(i, l.end)
		return converted{v: s}, end
	}
	raw, end := plain(i, l.end)
	return f.plainScalar(raw, l.num, i-l.start+1), end
}

// plainValue reads a plain scalar in block context up to a comment or the
// end of the line.
func (f *fastParser) plainValue(i, end int) (string, int) {
	if !plainStart(f.src, i, end) {
		panic(unsure{})
	}
	j := i
	for j < end {
		c := f.src[j]
		if c == ':' && (j+1 == end || f.src[j+1] == ' ') {
			panic(unsure{}) // a mapping where a scalar is allowed
		}
		if c == '#' && f.src[j-1] == ' ' {
			break
		}
		if !plainByte(c) {
			panic(unsure{})
		}
		j++
	}
	raw := strings.TrimRight(f.src[i:j], " ")
	return raw, i + len(raw)
}

// plainScalar resolves a plain scalar like converter.scalar.
func (f *fastParser) plainScalar(raw string, line, col int) converted {
	if plainIsString(raw) {
		return converted{v: raw}
	}
	v, _ := resolvePlain(raw)
	jv, err := jsonValue(v)
	if err != nil {
		panic(unsure{})
	}
	cv := converted{v: jv}
	if _, isString := jv.(string); !isString && f.positions {
		f.notes = append(f.notes, scalarNote{line: int32(line), col: int32(col), raw: raw})
		cv.note = int32(len(f.notes))
	}
	return cv
}

// quoted reads a one-line quoted scalar without escapes at i and returns
// it with the offset after its closing quote.
func (f *fastParser) quoted(i, end int) (string, int) {
	q := f.src[i]
	j := i + 1
	doubled := false
	for ; ; j++ {
		if j == end {
			panic(unsure{}) // multi-line: folded by rules not worth copying
		}
		c := f.src[j]
		if c == q {
			if q == '\'' && j+1 < end && f.src[j+1] == '\'' {
				doubled = true
				j++
				continue
			}
			break
		}
		if c < ' ' || c >= 0x7f || c == '\\' && q == '"' {
			panic(unsure{})
		}
	}
	s := f.src[i+1 : j]
	if doubled {
		s = strings.ReplaceAll(s, "''", "'")
	}
	return s, j + 1
}

// sequence reads a block sequence whose entries' dashes are at column
// indent+1; the first dash is on line l.
func (f *fastParser) sequence(l srcLine, indent, depth int) converted {
	if depth >= f.maxDepth {
		panic(unsure{})
	}
	line := l.num
	sc := f.level(depth)
	for {
		p := l.text + 1
		for p < l.end && f.src[p] == ' ' {
			p++
		}
		if p == l.end || p == l.text+1 || f.src[p] == '#' {
			panic(unsure{}) // the item on the next line
		}
		var cv converted
		switch c := f.src[p]; {
		case isEntry(f.src, p, l.end), c == '|' || c == '>':
			panic(unsure{})
		case f.isKeyAt(p, l.end):
			cv = f.mapping(l, p, p-l.start, depth+1)
		default:
			cv = f.inline(l, p, depth+1)
		}
		sc.vals = append(sc.vals, cv.v)
		sc.add(f, pentry{line: int32(l.num), col: int32(p - l.start + 1), child: cv.pos, note: cv.note})
		next := f.peek()
		if next.indent > indent && next.kind == lineContent {
			panic(unsure{})
		}
		if next.kind != lineContent || next.indent < indent || !isEntry(f.src, next.text, next.end) {
			return converted{v: sc.list(), pos: f.pnode(sc, line, indent+1, true)}
		}
		f.consumeTo(next.end)
		l = next
	}
}

// isKeyAt reports whether a mapping key starts at p ("- name: x").
func (f *fastParser) isKeyAt(p, end int) bool {
	i := p
	if c := f.src[p]; c == '[' || c == '{' {
		// "- {name: a, value: b}": a flow collection, read by inline
		// (which gives up unless it ends the line, as for a complex key).
		return false
	}
	if c := f.src[p]; c == '\'' || c == '"' {
		q := c
		for i = p + 1; i < end && (f.src[i] != q || q == '\'' && i+1 < end && f.src[i+1] == '\''); i++ {
			if f.src[i] == q {
				i++ // '' in a single-quoted key
			}
		}
		if i == end {
			return false
		}
		for i++; i < end && f.src[i] == ' '; i++ {
		}
		return i < end && f.src[i] == ':' && (i+1 == end || f.src[i+1] == ' ')
	}
	for ; i < end; i++ {
		switch c := f.src[i]; {
		case c == '#' && i > p && f.src[i-1] == ' ':
			return false
		case c == ':' && (i+1 == end || f.src[i+1] == ' '):
			return true
		}
	}
	return false
}

func skipSpaces(s string, i, end int) int {
	for i < end && s[i] == ' ' {
		i++
	}
	return i
}

// plainStart reports whether a plain scalar may start at i (YAML 1.1
// indicators may not; a dash may when a non-space follows).
func plainStart(s string, i, end int) bool {
	c := s[i]
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	case c == '-':
		return i+1 < end && s[i+1] != ' ' && plainByte(s[i+1])
	}
	return strings.IndexByte("_./~+$=^;()\\<", c) >= 0
}

// plainByte is the ASCII the fast path accepts inside a plain scalar.
func plainByte(c byte) bool {
	return c >= ' ' && c < 0x7f
}
