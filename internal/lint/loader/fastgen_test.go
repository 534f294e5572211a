package loader

import (
	"math/rand"
	"strings"
)

// yamlGen writes random YAML files made of the constructs the fast path
// reads (block mappings and sequences, compact and indentless sequences,
// one-line flow collections, quoted and YAML 1.1 plain scalars, block
// scalars, comments, blank lines, `---`) and, with probability miss at
// each choice, the near-misses it must leave to yaml.v3 (wrong
// indentation, empty values, `|+`, tabs, anchors, unterminated quotes,
// trailing commas, `...`, ...). FuzzFastPathGenerated and
// TestFastPathGenerated compare both paths on what it writes, so the
// fast path's accepted region is explored far better than by byte-level
// fuzzing, which rarely writes structured YAML.
type yamlGen struct {
	src  choices
	miss float64
	b    strings.Builder
	// afterBlock is the indentation of the block scalar just written:
	// blank lines with more spaces and comments indented as far are its
	// content, not junk.
	afterBlock int
}

// choices is the generator's source of randomness: the bytes of a fuzz
// input while they last (so the fuzzer's coverage guidance steers the
// choices), then a PRNG.
type choices struct {
	data []byte
	r    *rand.Rand
}

func (c *choices) intn(n int) int {
	if n <= 1 {
		return 0
	}
	if len(c.data) > 0 {
		v := int(c.data[0])
		c.data = c.data[1:]
		if n > 256 && len(c.data) > 0 {
			v = v<<8 | int(c.data[0])
			c.data = c.data[1:]
		}
		return v % n
	}
	return c.r.Intn(n)
}

func newYAMLGen(seed int64, data []byte, miss float64) *yamlGen {
	return &yamlGen{src: choices{data: data, r: rand.New(rand.NewSource(seed))}, miss: miss}
}

func (g *yamlGen) intn(n int) int { return g.src.intn(n) }

// chance is true with probability p (in 1/1000).
func (g *yamlGen) chance(p float64) bool { return float64(g.intn(1000)) < p*1000 }

// nearMiss is true when this choice should be one the fast path refuses.
func (g *yamlGen) nearMiss() bool { return g.miss > 0 && g.chance(g.miss) }

func (g *yamlGen) pick(xs []string) string { return xs[g.intn(len(xs))] }

func (g *yamlGen) w(s ...string) {
	for _, x := range s {
		g.b.WriteString(x)
	}
}

func sp(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat(" ", n)
}

// plainScalars are plain scalars rich in YAML 1.1 specials and in the
// characters that end (or do not end) a plain scalar.
var plainScalars = []string{
	"yes", "no", "on", "off", "y", "n", "Y", "N", "Yes", "NO", "On", "OFF", "~", "null", "Null", "NULL",
	"true", "False", "TRUE", "0755", "0x1F", "0o17", "0b101", "-0b11", "1_000", "1e3", "1E3", "1.5e3",
	".5", "-.5", "+.5", "+1", "-1", "-1.5", "1.", "0", "-0", "00",
	"12:30", "12:30:45", "2001-12-14", "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10",
	"100m", "128Mi", "0.5", "1.0", "1.50", "3.0e0", "nginx:1.2", "http://x:80/#a", "a#b", "a b", "a  b", "-12:30",
	"foo", "bar-baz", "x_y", "/path/to", "$HOME", "=", "<<", "<", "a:b", "a,b", "a]b", "a}b", "a{b",
	"a'b", "a\"b", "a !b", "a &b", "a *b", "--x", "-a", "9223372036854775807", "9223372036854775808",
	"18446744073709551615", "18446744073709551616", "0.1e1", "1e-400", "_", "_1", "(x)",
	"\\x", "^a", ";a", "+", "+a", ".", "..", "x?", "a?b", ".a", "~a", "a~", "a -b", "x.y.z", "v1",
	"apps/v1", "0.0.0.0", "1:2:3", "0x", "0xG", "1__0", "_1_", "1e", "e3", "1,000",
}

// plainMisses are plain-looking scalars that are not plain, or not one
// line, or that the fast path does not read.
var plainMisses = []string{
	".inf", "-.inf", "+.INF", ".nan", ".NaN", "1.5e400", "a:", "a: b", "::1",
	"*a", "&a x", "!tag x", "!!str 1", "!!int x", "%x", "@x", "`x", "?x", "? x", ":x", "|x", ">x",
	"caf\u00e9", "a\tb", "a #b", "- a", "-", "[a", "{a", "a: b: c", "#", "'", "\"", "a\u2028b",
	"a\x7fb", "a\x01b", "\xff", "a\xc3", "- - a",
}

var quotedScalars = []string{
	"'x'", "'it''s'", "''", "''''", "'a # b'", "'a: b'", "'  sp '", "'yes'", "'0755'", "'~'", "'-'",
	"\"x\"", "\"\"", "\"a 'b' #c\"", "\"a: b\"", "\"on\"", "\"1e3\"", "\"it's\"", "'\"'", "\"'\"",
	"'http://x:80/#a'", "' '", "\" \"", "'a,b]'", "\"{a}\"",
}

var quotedMisses = []string{
	"\"x\\ty\"", "\"\\\"\"", "'unterminated", "\"unterminated", "'caf\u00e9'", "'a\tb'", "'a'b",
	"\"a\"b", "'a' 'b'", "\"\\u00e9\"", "'a''", "'x'#c", "\"x\"#c",
}

var comments = []string{
	"# c", "#", "# a: b", "# - x", "#!", "# caf\u00e9 \u2014 \U0001F600", "# 'quote", "# \"dq", "#\ttab",
	"## double", "# ---", "# ...", "# |", "# trailing  ",
}

var commentMisses = []string{"# bad \x01", "# bad \xff", "# nel \u0085", "# ls \u2028", "# bom \ufeff", "# del \x7f"}

var plainKeys = []string{
	"name", "image", "a b", "k ", "1", "0x10", "1.5", "1e3", "true", "yes", "on", "No", "a:b", "a#b",
	"-x", "x-", ".inf", "-.inf", ".nan", "0755", "1_0", "a'b", "a[0]", "a{b}", "x.y", "app.kubernetes.io/name",
	"CamelCase", "_u", "$k", "12:30", "2001-12-14", "9223372036854775807", "-1", "+1", "0.1", "1.0",
}

var keyMisses = []string{
	"~", "null", "<<", "", "?", "? k", "&a k", "*a", "!t k", "[a]", "{a: b}", "- k", "k\t", "caf\u00e9",
	"9223372036854775808", "18446744073709551616", "#k", "@k", "|", ">",
}

var quotedKeys = []string{"'quoted'", "\"dq\"", "'it''s'", "'~'", "\"<<\"", "''", "\"\"", "'a: b'", "\"a # b\"", "'1'"}

// scalar writes one scalar for block context.
func (g *yamlGen) scalar() string {
	if g.nearMiss() {
		if g.chance(0.5) {
			return g.pick(plainMisses)
		}
		return g.pick(quotedMisses)
	}
	if g.chance(0.25) {
		return g.pick(quotedScalars)
	}
	return g.pick(plainScalars)
}

// key writes a mapping key (without its ':').
func (g *yamlGen) key(used map[string]bool) string {
	for range 8 {
		var k string
		switch n := g.intn(20); {
		case g.nearMiss():
			k = g.pick(keyMisses)
			if g.chance(0.1) {
				k = strings.Repeat("k", 1000+g.intn(60))
			}
			if g.chance(0.1) {
				k = "'" + strings.Repeat("q", 1000+g.intn(60)) + "'"
			}
		case n < 3:
			k = g.pick(quotedKeys)
		case n < 8:
			k = g.pick(plainKeys)
		default:
			k = "k" + string(rune('a'+g.intn(26)))
		}
		// Keys the generator meant as distinct may still be the same
		// JSON key (yes and true): duplicates stay as near-misses.
		if jk := jsonKey(k); !used[jk] || g.nearMiss() {
			used[jk] = true
			return k
		}
	}
	return "z" + string(rune('a'+g.intn(26))) + string(rune('a'+g.intn(26)))
}

// jsonKey is roughly the JSON key k stands for, so that keys meant to be
// distinct are (yes and on are both "true").
func jsonKey(k string) string {
	if len(k) > 1 && (k[0] == '\'' || k[0] == '"') {
		return strings.ReplaceAll(k[1:len(k)-1], "''", "'")
	}
	v, _ := resolvePlain(strings.TrimRight(k, " "))
	if s, ok := keyString(v); ok {
		return s
	}
	return k
}

// comment returns a comment, or a near-miss one.
func (g *yamlGen) comment() string {
	if g.nearMiss() {
		return g.pick(commentMisses)
	}
	return g.pick(comments)
}

// trailer returns what may follow a value on its line.
func (g *yamlGen) trailer() string {
	switch g.intn(10) {
	case 0:
		return " " + g.comment()
	case 1:
		return "   " + g.comment()
	case 2:
		return "  " // trailing spaces
	}
	if g.nearMiss() {
		return g.pick([]string{"#c", "\t", "\t# c", " x", " :", " ,"})
	}
	return ""
}

// junk writes what may stand between lines: blank lines (with and
// without spaces) and comments at any indentation.
func (g *yamlGen) junk(indent int) {
	limit := func(n int) int {
		if g.afterBlock > 0 && !g.nearMiss() {
			return min(n, g.afterBlock-1)
		}
		return n
	}
	defer func() { g.afterBlock = 0 }()
	for g.chance(0.15) {
		switch g.intn(5) {
		case 0:
			g.w("\n")
		case 1:
			g.w(sp(limit(g.intn(8))), "\n")
		case 2:
			g.w(sp(limit(indent)), g.comment(), "\n")
		case 3:
			g.w(sp(limit(g.intn(10))), g.comment(), "\n")
		case 4:
			if g.nearMiss() {
				g.w(g.pick([]string{"\t\n", " \t\n", "\t# c\n", "...\n", "%YAML 1.1\n", "---x\n"}))
			} else {
				g.w(g.comment(), "\n")
			}
		}
	}
}

// step returns the indentation of a nested collection relative to its
// parent: mostly 2, sometimes 1, 3, 4, and as a near-miss 0 or less.
func (g *yamlGen) step() int {
	if g.nearMiss() {
		return -g.intn(2)
	}
	return []int{2, 2, 2, 2, 1, 3, 4}[g.intn(7)]
}

// file writes one to four documents.
func (g *yamlGen) file() []byte {
	n := 1 + g.intn(4)
	for d := range n {
		g.junk(0)
		g.docStart(d)
		g.junk(0)
		g.document()
		if g.nearMiss() {
			g.w(g.pick([]string{"...\n", "... # c\n", "...x\n"}))
		}
	}
	g.junk(0)
	s := g.b.String()
	if g.chance(0.1) {
		s = strings.TrimRight(s, "\n") // a last line without its line break
	}
	return []byte(s)
}

func (g *yamlGen) docStart(d int) {
	if g.nearMiss() {
		g.w(g.pick([]string{"---#c\n", "--- a: 1\n", "--- |\n", "---\t\n", "--- !!map\n", "--- [a]\n", "--- x\n", "--- &a\n", "----\n"}))
		return
	}
	if d == 0 && g.chance(0.6) {
		return
	}
	g.w(g.pick([]string{"---\n", "---\n", "--- \n", "--- # c\n", "---   # caf\u00e9\n"}))
	if g.chance(0.05) { // an empty document
		g.junk(0)
		g.w("---\n")
	}
}

func (g *yamlGen) document() {
	used := map[string]bool{}
	switch n := g.intn(20); {
	case g.nearMiss():
		switch g.intn(5) {
		case 0:
			g.w(g.scalar(), "\n")
		case 1:
			g.seq(0, 1)
		case 2:
			g.w(" ")
			g.mapping(1, 1, used)
		case 3:
			g.w(g.flow(1), "\n")
		default: // an empty document
		}
	case n < 2: // a List
		g.w("apiVersion: v1\nkind: List\n")
		used["apiVersion"], used["kind"] = true, true
		if g.chance(0.3) {
			g.w("metadata:", g.trailer(), "\n  resourceVersion: \"\"\n")
			used["metadata"] = true
		}
		g.w("items:", g.trailer(), "\n")
		used["items"] = true
		ind := []int{0, 2, 2, 4}[g.intn(4)]
		for range 1 + g.intn(3) {
			g.junk(ind)
			gap := 1 + g.intn(2)
			g.w(sp(ind), "-", sp(gap))
			g.object(ind+1+gap, 2)
		}
		if g.chance(0.5) {
			g.mapping(0, 1, used)
		}
	case n < 15:
		g.object(0, 1)
	default:
		g.mapping(0, 1, used)
	}
}

// object writes a Kubernetes-looking mapping whose first key continues the
// current line (after "- " in a List) or starts a line at column 0.
func (g *yamlGen) object(indent, depth int) {
	first := true
	line := func() string {
		if first {
			first = false
			return ""
		}
		return sp(indent)
	}
	used := map[string]bool{"apiVersion": true, "kind": true, "metadata": true}
	g.w(line(), "apiVersion: ", g.pick([]string{"v1", "apps/v1", "'v1'", "\"apps/v1\""}), g.trailer(), "\n")
	g.junk(indent)
	g.w(line(), "kind: ", g.pick([]string{"ConfigMap", "Deployment", "Secret", "PodList", "'Service'"}), g.trailer(), "\n")
	g.junk(indent)
	g.w(line(), "metadata:", g.trailer(), "\n")
	in := indent + 2
	if g.chance(0.2) {
		in = indent + 1 + g.intn(4)
	}
	g.w(sp(in), "name: ", g.pick([]string{"x", "'y'", "\"z\"", "yes", "0755", "a-b"}), g.trailer(), "\n")
	if g.chance(0.3) {
		g.w(sp(in), "labels: ", g.flow(depth+2), "\n")
	}
	if g.chance(0.3) {
		g.w(sp(in), "annotations:\n", sp(in+2))
		g.mapping(in+2, depth+2, map[string]bool{})
	}
	if g.chance(0.85) {
		g.junk(indent)
		g.w(sp(indent))
		g.mapping(indent, depth, used)
	}
}

// mapping writes a block mapping whose keys are at column indent+1; the
// caller has written the first key's indentation (or "- ").
func (g *yamlGen) mapping(indent, depth int, used map[string]bool) {
	n := 1 + g.intn(4)
	for i := range n {
		if i > 0 {
			g.junk(indent)
			ind := indent
			if g.nearMiss() {
				ind += g.pick2(-1, 1)
			}
			g.w(sp(ind))
		}
		k := g.key(used)
		sep := ":"
		switch {
		case g.chance(0.05):
			sep = " :"
		case g.nearMiss():
			sep = g.pick([]string{":\t", "::", ""})
		}
		g.w(k, sep)
		g.value(indent, depth+1)
	}
}

func (g *yamlGen) pick2(a, b int) int {
	if g.intn(2) == 0 {
		return a
	}
	return b
}

// value writes what follows a key's ':' up to and including its line break
// (and the lines of a nested collection or block scalar).
func (g *yamlGen) value(indent, depth int) {
	deep := depth > 6 && !g.chance(0.05)
	switch n := g.intn(20); {
	case g.nearMiss():
		switch g.intn(6) {
		case 0: // an empty value
			g.w(g.pick([]string{"", " ", " # c"}), "\n")
		case 1: // a multi-line plain scalar
			g.w(" a\n", sp(indent+2), "b\n")
		case 2:
			g.w(" ", g.pick([]string{"&a x", "*a", "!!str 1", "&a", "!t"}), "\n")
		case 3: // a multi-line flow collection
			g.w(" [a,\n", sp(indent+2), "b]\n")
		case 4:
			g.w(g.pick([]string{" a: b", " - a", "\tx", " 'a'\n" + sp(indent+2) + "'b'"}), "\n")
		default:
			g.w(" ", g.scalar(), g.trailer(), "\n")
		}
	case n < 8 || deep && n < 14:
		g.w(" ", g.scalar(), g.trailer(), "\n")
	case n < 10 || deep:
		g.w(" ", g.flow(depth), g.trailer(), "\n")
	case n < 13:
		g.w(g.trailer(), "\n")
		g.junk(indent)
		in := indent + g.step()
		g.w(sp(in))
		g.mapping(in, depth, map[string]bool{})
	case n < 16:
		g.w(g.trailer(), "\n")
		g.junk(indent)
		in := indent // an indentless sequence
		if g.chance(0.5) {
			in += g.step()
		}
		g.seq(in, depth)
	default:
		g.blockScalar(indent)
	}
}

// seq writes a block sequence whose dashes are at column indent+1.
func (g *yamlGen) seq(indent, depth int) {
	for i := range 1 + g.intn(4) {
		if i > 0 {
			g.junk(indent)
		}
		ind := indent
		if g.nearMiss() {
			ind += g.pick2(-1, 1)
		}
		g.w(sp(ind), "-")
		gap := 1
		if g.chance(0.15) {
			gap = 2 + g.intn(3)
		}
		switch n := g.intn(12); {
		case g.nearMiss():
			switch g.intn(5) {
			case 0: // the item on the next line
				g.w(g.pick([]string{"", " # c"}), "\n", sp(ind+2), g.scalar(), "\n")
			case 1:
				g.w("x\n")
			case 2:
				g.w(" - ", g.scalar(), "\n")
			case 3:
				g.w(" |\n", sp(ind+2), "x\n")
			default:
				g.w("\n")
			}
		case n < 5 || depth > 8:
			g.w(sp(gap), g.scalar(), g.trailer(), "\n")
		case n < 7:
			g.w(sp(gap), g.flow(depth+1), g.trailer(), "\n")
		default: // a compact mapping: "- k: v"
			g.w(sp(gap))
			g.mapping(ind+1+gap, depth+1, map[string]bool{})
		}
	}
}
