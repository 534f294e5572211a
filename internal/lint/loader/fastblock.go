package loader

import "strings"

// block reads a block scalar whose indicator (`|`, `|-`, `>`, `>-`) is at
// i. Folded (`>`) ones are read only when no line is more indented than
// the first, which folds every line break to a space (or keeps the breaks
// of empty lines between).
func (f *fastParser) block(l srcLine, i, indent int) converted {
	folded := f.src[i] == '>'
	j := i + 1
	strip := false
	if j < l.end && f.src[j] == '-' {
		strip = true
		j++
	}
	if j < l.end && f.src[j] != ' ' {
		panic(unsure{}) // |+, indentation indicators
	}
	f.expectEnd(j, l.end)
	var b strings.Builder
	m := -1        // content indentation, from the first non-empty line
	leading := 0   // most spaces on an empty line before the first content line
	pendingNL := 0 // empty lines since the last content line (or the start)
	seen := false
	for f.pos < len(f.src) {
		start := f.pos
		end := strings.IndexByte(f.src[start:], '\n')
		if end < 0 {
			panic(unsure{}) // no final line break: clipping differs
		}
		end += start
		k := start
		for k < end && f.src[k] == ' ' {
			k++
		}
		if k == end { // an empty line
			if m < 0 {
				leading = max(leading, k-start)
			} else if k-start > m {
				panic(unsure{})
			}
			pendingNL++
			f.consumeTo(end)
			continue
		}
		if m < 0 {
			m = k - start
			if m <= indent || leading > m || f.src[k] == '\t' {
				// A tab after the spaces of the line that sets the
				// indentation is an error for yaml.v3 ("found a tab
				// character where an indentation space is expected").
				panic(unsure{})
			}
		}
		if k-start < m {
			break
		}
		text := f.src[start+m : end]
		for _, c := range []byte(text) {
			if c < ' ' && c != '\t' || c >= 0x7f {
				panic(unsure{})
			}
		}
		switch {
		case folded && (text[0] == ' ' || text[0] == '\t'):
			panic(unsure{}) // more indented: kept as written, not folded
		case folded && seen && pendingNL == 0:
			b.WriteByte(' ')
		case !folded && seen:
			b.WriteByte('\n') // the break after the previous content line
		}
		for ; pendingNL > 0; pendingNL-- {
			b.WriteByte('\n')
		}
		b.WriteString(text)
		seen = true
		f.consumeTo(end)
	}
	if m < 0 {
		panic(unsure{})
	}
	s := b.String()
	if !strip {
		s += "\n"
	}
	return converted{v: s}
}
