// Package dotenv parses .env files into ordered key/value entries.
//
// The accepted syntax is the common subset of docker compose, godotenv and
// python-dotenv: comments, blank lines, an optional `export ` prefix, unquoted
// values (trailing ` # comment` stripped), single-quoted literal values,
// double-quoted values with the escapes \n \t \" \\ \$, and quoted values that
// span several lines. There is no variable expansion: `$` is literal.
//
// Errors name the file and line and say what is wrong, but never quote the
// input: a .env holds secrets, and a malformed line may be nothing but a value.
package dotenv

import (
	"bytes"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// Entry is one KEY=VALUE assignment.
type Entry struct {
	Key   string
	Value string
	// Line is the 1-based line where the assignment starts.
	Line int
}

// keyPattern accepts environment-variable style names plus '.' and '-',
// which Kubernetes Secret keys also allow.
var keyPattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.-]*$`)

// Parse reads a whole .env document. name is used only in error messages.
// Keys are returned in file order; a key defined twice is an error.
func Parse(name string, r io.Reader) ([]Entry, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return ParseBytes(name, data)
}

// ParseBytes is Parse over an in-memory document.
func ParseBytes(name string, data []byte) ([]Entry, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // UTF-8 BOM from Windows editors
	p := &parser{name: name, lines: splitLines(string(data))}
	return p.parse()
}

// splitLines splits on \n and drops a trailing \r so CRLF files parse the same.
func splitLines(s string) []string {
	lines := strings.Split(s, "\n")
	if len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	for i, l := range lines {
		lines[i] = strings.TrimSuffix(l, "\r")
	}
	return lines
}

type parser struct {
	name  string
	lines []string
	i     int // index of the next line to read
}

func (p *parser) parse() ([]Entry, error) {
	var entries []Entry
	seen := map[string]int{}
	for p.i < len(p.lines) {
		lineNo := p.i + 1
		line := strings.TrimLeft(p.lines[p.i], " \t")
		p.i++
		if line == "" || line[0] == '#' {
			continue
		}
		e, err := p.assignment(line, lineNo)
		if err != nil {
			return nil, err
		}
		if first, dup := seen[e.Key]; dup {
			return nil, p.errorf(lineNo, ErrDuplicateKey, "duplicate key %s (first defined on line %d)", e.Key, first)
		}
		seen[e.Key] = lineNo
		entries = append(entries, e)
	}
	return entries, nil
}

func (p *parser) assignment(line string, lineNo int) (Entry, error) {
	if rest, ok := strings.CutPrefix(line, "export"); ok && rest != "" && (rest[0] == ' ' || rest[0] == '\t') {
		line = strings.TrimLeft(rest, " \t")
	}
	key, value, ok := strings.Cut(line, "=")
	if !ok {
		return Entry{}, p.errorf(lineNo, ErrMalformed, "malformed line: expected KEY=VALUE")
	}
	key = strings.TrimRight(key, " \t")
	if !keyPattern.MatchString(key) {
		// The "key" may really be a pasted value, so it is not echoed.
		return Entry{}, p.errorf(lineNo, ErrInvalidKey, "invalid key: must match [A-Za-z_][A-Za-z0-9_.-]*")
	}
	raw := value
	value = strings.TrimLeft(value, " \t")
	var (
		v   string
		err error
	)
	switch {
	case strings.HasPrefix(value, `"`):
		v, err = p.quoted(value[1:], lineNo, key, '"')
	case strings.HasPrefix(value, `'`):
		v, err = p.quoted(value[1:], lineNo, key, '\'')
	default:
		v = unquoted(raw)
	}
	if err != nil {
		return Entry{}, err
	}
	return Entry{Key: key, Value: v, Line: lineNo}, nil
}

// unquoted strips an inline comment (a '#' preceded by whitespace, which
// includes `KEY= # note`) and surrounding whitespace. A '#' glued to the
// value (KEY=pa#ss, KEY=#x) is kept.
func unquoted(raw string) string {
	for i := 1; i < len(raw); i++ {
		if raw[i] == '#' && (raw[i-1] == ' ' || raw[i-1] == '\t') {
			raw = raw[:i]
			break
		}
	}
	return strings.Trim(raw, " \t")
}

// quoted reads a quoted value starting just after the opening quote; it may
// continue on following lines until the closing quote.
func (p *parser) quoted(rest string, startLine int, key string, quote byte) (string, error) {
	var b strings.Builder
	cur := rest
	for {
		end, err := p.scan(&b, cur, quote, key)
		if err != nil {
			return "", err
		}
		if end >= 0 {
			return b.String(), p.trailer(cur[end+1:], key)
		}
		if p.i >= len(p.lines) {
			return "", p.errorf(startLine, ErrUnterminated, "%s: unterminated %s-quoted value", key, quoteName(quote))
		}
		b.WriteByte('\n')
		cur = p.lines[p.i]
		p.i++
	}
}

// scan appends the decoded content of s to b up to the closing quote and
// returns the quote's index, or -1 when the value continues on the next line.
func (p *parser) scan(b *strings.Builder, s string, quote byte, key string) (int, error) {
	for j := 0; j < len(s); j++ {
		c := s[j]
		switch {
		case c == quote:
			return j, nil
		case c == '\\' && quote == '"':
			if j+1 >= len(s) {
				return 0, p.errorf(p.i, ErrEscape, "%s: backslash at end of line in double-quoted value (write \\n for a newline)", key)
			}
			j++
			switch s[j] {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case '"', '\\', '$':
				b.WriteByte(s[j])
			default:
				return 0, p.errorf(p.i, ErrEscape, `%s: unsupported escape in double-quoted value (allowed: \n \t \" \\ \$; use single quotes for literal text)`, key)
			}
		default:
			b.WriteByte(c)
		}
	}
	return -1, nil
}

// trailer checks what follows a closing quote: nothing, or a comment.
func (p *parser) trailer(s string, key string) error {
	t := strings.TrimLeft(s, " \t")
	if t == "" || (t[0] == '#' && len(t) < len(s)) {
		return nil
	}
	return p.errorf(p.i, ErrMalformed, "%s: unexpected text after closing quote", key)
}

func quoteName(q byte) string {
	if q == '"' {
		return "double"
	}
	return "single"
}
