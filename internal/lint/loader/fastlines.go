package loader

import (
	"strings"
	"unicode/utf8"
)

// The fast path's line layer: lines with content, comments, document
// markers, and what yaml.v3's reader would refuse.

// srcLine is one line of src with content (blank and comment-only lines
// are skipped), or the end of a document.
type srcLine struct {
	kind   lineKind
	start  int // offset of the line's first byte
	text   int // offset of its first non-space byte
	end    int // offset of its line break (or len(src))
	num    int // 1-based line number
	indent int
}

type lineKind uint8

const (
	lineContent lineKind = iota
	lineDocStart
	lineEOF
	lineUnsure // `...`, a directive, a tab in the indentation, a bad comment
)

// readerAccepts reports whether every character of data is one yaml.v3's
// reader lets through (readerc.go): valid UTF-8 of tab, line breaks and
// printable characters. It is false for UTF-16 input too.
func readerAccepts(data []byte) bool {
	for i := 0; i < len(data); {
		c := data[i]
		if c < 0x80 {
			if c < ' ' && c != '\t' && c != '\n' || c == 0x7f { // CR included
				return false
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && n == 1 || r < 0xA0 && r != 0x85 || r == 0xFFFE || r == 0xFFFF {
			return false
		}
		i += n
	}
	return true
}

// peek returns the next line with content without consuming it.
func (f *fastParser) peek() srcLine {
	if f.peeked {
		return f.next
	}
	for f.pos < len(f.src) {
		start := f.pos
		end := strings.IndexByte(f.src[start:], '\n')
		if end < 0 {
			end = len(f.src)
		} else {
			end += start
		}
		i := start
		for i < end && f.src[i] == ' ' {
			i++
		}
		l := srcLine{kind: lineContent, start: start, text: i, end: end, num: f.line, indent: i - start}
		switch {
		case i == end:
		case f.src[i] == '\t':
			l.kind = lineUnsure
			return f.found(l)
		case f.src[i] == '#':
			if !commentOK(f.src[i:end]) {
				l.kind = lineUnsure
				return f.found(l)
			}
		default:
			if i == start {
				switch rest := f.src[start:end]; {
				case rest == "---" || strings.HasPrefix(rest, "--- "):
					l.kind = lineDocStart
				case strings.HasPrefix(rest, "---") || strings.HasPrefix(rest, "...") || rest[0] == '%':
					l.kind = lineUnsure
				}
			}
			return f.found(l)
		}
		f.consumeTo(end)
	}
	return f.found(srcLine{kind: lineEOF, start: len(f.src), text: len(f.src), end: len(f.src), num: f.line})
}

func (f *fastParser) found(l srcLine) srcLine {
	f.next, f.peeked = l, true
	return l
}

// consumeTo moves past the line ending at end: a line is consumed when
// its content is taken.
func (f *fastParser) consumeTo(end int) {
	f.peeked = false
	if end < len(f.src) {
		f.pos = end + 1
		f.line++
	} else {
		f.pos = len(f.src)
	}
}

// expectEnd accepts only spaces and a comment in src[i:end].
func (f *fastParser) expectEnd(i, end int) {
	j := i
	for j < end && f.src[j] == ' ' {
		j++
	}
	if j == end {
		return
	}
	if f.src[j] != '#' || j == i || !commentOK(f.src[j:end]) {
		panic(unsure{})
	}
}

// commentOK reports whether a comment is one comment for yaml.v3: the
// file passed readerAccepts (valid, printable UTF-8), so what is left are
// the characters yaml.v3 reads as line breaks (NEL, U+2028, U+2029) and a
// BOM, which the fast path does not place.
func commentOK(s string) bool {
	return !strings.ContainsAny(s, "\u0085\u2028\u2029\ufeff")
}
