// Package logbuf holds the tail of a container log in bounded memory: a
// ring of at most N lines and B bytes, with single lines cut at a maximum
// length, fed by a reader that never buffers more than one line. `emmdev
// status` keeps one per shown container, so a chatty or hostile log (one
// endless line, gigabytes of output) costs at most the bound.
package logbuf

import (
	"bufio"
	"errors"
	"io"
	"strings"
	"unicode/utf8"
)

// Truncated is appended to a line cut at the maximum line length.
const Truncated = " …[line truncated]"

// Ring is the newest lines of a log within a line and a byte budget. The
// zero value is not usable; call New. It is not safe for concurrent use.
type Ring struct {
	maxLines, maxBytes, maxLine int
	buf                         []string // buf[head:] are the lines, oldest first
	head                        int
	bytes                       int
	dropped                     int64
}

// New makes a ring of at most maxLines lines and maxBytes bytes of text; a
// line longer than maxBytes/8 (at least 256 bytes) is cut.
func New(maxLines, maxBytes int) *Ring {
	maxLines, maxBytes = max(maxLines, 1), max(maxBytes, 256)
	return &Ring{maxLines: maxLines, maxBytes: maxBytes, maxLine: max(maxBytes/8, 256)}
}

// MaxLine is the longest line the ring keeps whole, in bytes.
func (r *Ring) MaxLine() int { return r.maxLine }

// Add appends a line (without its newline), evicting the oldest lines
// until both budgets hold.
func (r *Ring) Add(line string) {
	line = Cut(line, r.maxLine)
	for r.Len() > 0 && (r.Len() >= r.maxLines || r.bytes+len(line) > r.maxBytes) {
		r.bytes -= len(r.buf[r.head])
		r.buf[r.head] = "" // let the string go
		r.head++
		r.dropped++
	}
	// Slide the live lines back to the front once half the slice is dead:
	// amortised O(1) per line, and the slice never exceeds 2×maxLines.
	if r.head > 0 && r.head >= len(r.buf)/2 {
		n := copy(r.buf, r.buf[r.head:])
		clear(r.buf[n:])
		r.buf, r.head = r.buf[:n], 0
	}
	r.buf = append(r.buf, line)
	r.bytes += len(line)
}

// Len is the number of lines held.
func (r *Ring) Len() int { return len(r.buf) - r.head }

// Line returns line i, 0 being the oldest held.
func (r *Ring) Line(i int) string { return r.buf[r.head+i] }

// Bytes is the text held, in bytes.
func (r *Ring) Bytes() int { return r.bytes }

// Dropped counts the lines evicted to stay within the budget.
func (r *Ring) Dropped() int64 { return r.dropped }

// Cut shortens s to at most n bytes (on a rune boundary) plus the
// Truncated marker.
func Cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + Truncated
}

// ReadLines calls emit with every line of rd (without "\n" or "\r\n"),
// cutting lines longer than maxLine bytes and skipping the rest of them
// without holding it: memory stays at one buffer of maxLine bytes whatever
// the input. It returns nil at EOF, else the read error.
func ReadLines(rd io.Reader, maxLine int, emit func(string)) error {
	maxLine = max(maxLine, 16)
	br := bufio.NewReaderSize(rd, maxLine)
	for {
		chunk, err := br.ReadSlice('\n')
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			emit(Cut(string(chunk), maxLine-1))
			if err := skipLine(br); err != nil {
				return eof(err)
			}
			continue
		case err != nil && len(chunk) == 0:
			return eof(err)
		}
		emit(strings.TrimRight(string(chunk), "\r\n"))
		if err != nil {
			return eof(err)
		}
	}
}

// skipLine discards up to and including the next newline.
func skipLine(br *bufio.Reader) error {
	for {
		_, err := br.ReadSlice('\n')
		if !errors.Is(err, bufio.ErrBufferFull) {
			return err
		}
	}
}

func eof(err error) error {
	if errors.Is(err, io.EOF) {
		return nil
	}
	return err
}
