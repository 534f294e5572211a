// Package progress prints long operations as kind-style steps: one line per
// step ending in ✓ or ✗, an animated spinner only on a terminal, plain lines
// otherwise (CI logs), optional detail lines with -v and nothing but failures
// with -q. Colour is used only on a terminal and never with NO_COLOR.
package progress

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// Level selects how much is printed.
type Level int

// Levels, from least to most output.
const (
	Quiet   Level = iota // only failed steps
	Normal               // one line per step
	Verbose              // plus detail lines
)

const (
	markOK   = "✓"
	markFail = "✗"
	ansiRed  = "\x1b[31m"
	ansiGrn  = "\x1b[32m"
	ansiOff  = "\x1b[0m"
	clearEOL = "\r\x1b[2K"
)

// spinnerFrames is a string, not a slice, so there is no mutable package state.
const spinnerFrames = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"

// Printer writes steps to one stream. It is safe for use by one step at a
// time plus Detail calls from other goroutines.
type Printer struct {
	w     io.Writer
	tty   bool
	color bool
	level Level

	mu      sync.Mutex
	current *Step
}

// New returns a Printer. tty enables the spinner and line rewriting; color
// additionally enables ANSI colours (pass tty && !NO_COLOR).
func New(w io.Writer, tty, color bool, level Level) *Printer {
	return &Printer{w: w, tty: tty, color: color && tty, level: level}
}

// Step is one running operation.
type Step struct {
	p     *Printer
	title string
	start time.Time
	stop  chan struct{}
	done  chan struct{}
	ended bool
}

// Start begins a step. The previous step, if still running, is ended as
// failed, because a step left open is a bug in the caller's flow.
func (p *Printer) Start(title string) *Step {
	p.mu.Lock()
	prev := p.current
	p.mu.Unlock()
	if prev != nil {
		prev.End(false)
	}
	s := &Step{p: p, title: title, start: time.Now()}
	p.mu.Lock()
	p.current = s
	p.mu.Unlock()
	if p.level == Quiet {
		return s
	}
	if p.tty {
		s.stop, s.done = make(chan struct{}), make(chan struct{})
		go s.spin()
		return s
	}
	fmt.Fprintf(p.w, " • %s ...\n", title)
	return s
}

func (s *Step) spin() {
	defer close(s.done)
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	frames := []rune(spinnerFrames)
	for i := 0; ; i++ {
		s.p.mu.Lock()
		fmt.Fprintf(s.p.w, "%s %c %s ", clearEOL, frames[i%len(frames)], s.title)
		s.p.mu.Unlock()
		select {
		case <-s.stop:
			return
		case <-t.C:
		}
	}
}

// Done ends the step successfully.
func (s *Step) Done() { s.End(true) }

// Fail ends the step as failed.
func (s *Step) Fail() { s.End(false) }

// End prints the ✓ or ✗ line. Calling it again does nothing, so callers can
// `defer step.Fail()` and still call Done on the happy path.
func (s *Step) End(ok bool) {
	if s == nil || s.ended {
		return
	}
	s.ended = true
	if s.stop != nil {
		close(s.stop)
		<-s.done
	}
	p := s.p
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.current == s {
		p.current = nil
	}
	if p.level == Quiet && ok {
		return
	}
	prefix := ""
	if p.tty {
		prefix = clearEOL
	}
	mark := markOK
	col := ansiGrn
	if !ok {
		mark, col = markFail, ansiRed
	}
	if p.color {
		mark = col + mark + ansiOff
	}
	fmt.Fprintf(p.w, "%s %s %s\n", prefix, mark, s.title)
}

// Detail prints an indented line under the running step, only with -v.
func (p *Printer) Detail(format string, a ...any) {
	if p.level < Verbose {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	prefix := ""
	if p.tty && p.current != nil {
		prefix = clearEOL
	}
	fmt.Fprintf(p.w, "%s   %s\n", prefix, fmt.Sprintf(format, a...))
}

// Info prints an indented line regardless of verbosity (but not with -q):
// counts and results the user always wants to see.
func (p *Printer) Info(format string, a ...any) {
	if p.level == Quiet {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	prefix := ""
	if p.tty && p.current != nil {
		prefix = clearEOL
	}
	fmt.Fprintf(p.w, "%s   %s\n", prefix, fmt.Sprintf(format, a...))
}
