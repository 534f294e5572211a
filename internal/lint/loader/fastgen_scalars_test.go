package loader

import "strings"

// The generator's flow collections, block scalars and random edits.

// flowScalars are scalars that may stand in a flow collection.
var flowScalars = []string{
	"a", "b c", "yes", "no", "~", "null", "1", "-1.5", "0755", "0x1F", "1e3", ".5", "2001-12-14", "100m", "128Mi", "'q'", "'it''s'", "\"dq\"", "''", "\"a, b\"", "'[x]'", "x/y", "a.b",
	"on", "OFF", "'<<'", "a'b", "$x",
}

var flowMisses = []string{"x?", "a?b", "<<", "12:30", "-.inf", "a:b", "a#b", "#", "*a", "&a x", "!t x", "a]", "'a", "\"a", ",", "- a", "? a", "a:", "@", "caf\u00e9"}

// flow writes a one-line flow collection.
func (g *yamlGen) flow(depth int) string {
	var b strings.Builder
	mapping := g.chance(0.4)
	open, closing := "[", "]"
	if mapping {
		open, closing = "{", "}"
	}
	pad := ""
	if g.chance(0.2) {
		pad = " "
	}
	b.WriteString(open + pad)
	n := g.intn(4)
	used := map[string]bool{}
	for i := range n {
		if i > 0 {
			b.WriteString(g.pick([]string{", ", ",", " , ", ",  "}))
		}
		if mapping {
			k := g.pick(flowScalars)
			for k == "~" || k == "null" {
				k = g.pick(flowScalars)
			}
			if g.nearMiss() {
				k = g.pick(append(flowMisses, "\"k\"", "k "))
			}
			if used[jsonKey(k)] && !g.nearMiss() {
				k = "u" + string(rune('a'+i))
			}
			used[k] = true
			sep := g.pick([]string{": ", ": ", ":  "})
			if g.nearMiss() {
				sep = " : "
			}
			b.WriteString(k + sep)
			if g.nearMiss() {
				b.WriteString(g.pick([]string{"", " "}))
				continue
			}
		}
		switch {
		case depth < 6 && g.chance(0.15):
			b.WriteString(g.flow(depth + 1))
		case g.nearMiss():
			b.WriteString(g.pick(flowMisses))
		default:
			b.WriteString(g.pick(flowScalars))
		}
	}
	if n > 0 && g.nearMiss() {
		b.WriteString(",")
	}
	b.WriteString(pad)
	if !g.nearMiss() {
		b.WriteString(closing)
	}
	return b.String()
}

var blockLines = []string{
	"one", "two words", "# not a comment", "a: b", "- x", "trailing  ", "tab\there", "'q'", "\"dq\"",
	"yes", "x # y", "--- not a marker", "...", "{a: b}", "[1, 2]", "|", ">",
}

var blockMisses = []string{"caf\u00e9", "ctl\x01", "\tstarts with tab", "del\x7f"}

// blockScalar writes a block scalar after a key's ':'.
func (g *yamlGen) blockScalar(indent int) {
	header := g.pick([]string{"|", "|-", ">", ">-"})
	if g.nearMiss() {
		header = g.pick([]string{"|+", ">+", "|2", "|-2", "|#x", "|1-", ">x", "|\t"})
	}
	g.w(" ", header)
	folded := header[0] == '>'
	if g.chance(0.2) {
		g.w(" ", g.comment())
	}
	if g.chance(0.1) {
		g.w("  ")
	}
	g.w("\n")
	ci := indent + 1 + g.intn(4)
	if g.nearMiss() {
		ci = indent + g.intn(2) - 1
	}
	for range g.intn(3) { // leading empty lines
		n := g.intn(ci + 1)
		if g.nearMiss() {
			n = ci + 1 + g.intn(3)
		}
		g.w(sp(n), "\n")
	}
	for i := range 1 + g.intn(4) {
		if i > 0 {
			for range g.intn(3) { // interior empty lines
				n := g.intn(ci + 1)
				if g.nearMiss() {
					n = ci + 1 + g.intn(3)
				}
				g.w(sp(n), "\n")
			}
		}
		extra := 0
		if i > 0 && (!folded || g.nearMiss()) && g.chance(0.15) {
			extra = 1 + g.intn(3) // more indented
		}
		text := g.pick(blockLines)
		if g.nearMiss() {
			text = g.pick(blockMisses)
		}
		g.w(sp(ci+extra), text, "\n")
	}
	for range g.intn(3) { // trailing empty lines
		n := g.intn(ci + 1)
		if g.nearMiss() {
			n = ci + 1
		}
		g.w(sp(n), "\n")
	}
	g.afterBlock = ci
}

// mutate applies up to n random one-character or one-line edits.
func (g *yamlGen) mutate(src []byte, n int) []byte {
	s := string(src)
	insert := []string{" ", "\t", ":", "-", "#", "'", "\"", "\n", "[", "]", "{", "}", ",", "|", ">", "\r", "\x01", "\u00e9", "a", "0", "&", "*", "!", "?", "%", "~", ".", "\\"}
	for range n {
		if len(s) == 0 {
			return []byte(s)
		}
		i := g.intn(len(s))
		switch g.intn(6) {
		case 0: // delete a byte (not in the middle of a UTF-8 sequence)
			if s[i] < 0x80 {
				s = s[:i] + s[i+1:]
			}
		case 1:
			s = s[:i] + g.pick(insert) + s[i:]
		case 2:
			if s[i] < 0x80 {
				s = s[:i] + g.pick(insert) + s[i+1:]
			}
		default: // change a line's indentation
			lines := strings.Split(s, "\n")
			j := g.intn(len(lines))
			switch g.intn(3) {
			case 0:
				lines[j] = " " + lines[j]
			case 1:
				lines[j] = strings.TrimPrefix(lines[j], " ")
			default:
				lines[j] = "  " + lines[j]
			}
			s = strings.Join(lines, "\n")
		}
	}
	return []byte(s)
}

// generated returns a file from the generator: miss is the near-miss
// probability of each choice and muts the number of random edits.
func generated(seed int64, data []byte, miss float64, muts int) []byte {
	g := newYAMLGen(seed, data, miss)
	src := g.file()
	if muts > 0 {
		src = g.mutate(src, muts)
	}
	return src
}
