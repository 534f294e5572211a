package cluster

import (
	"fmt"
	"io"
	"strings"

	"sigs.k8s.io/kind/pkg/log"

	"github.com/emmdev/emmdev/internal/progress"
)

// Logger adapts kind's logger to the step printer: kind's own sub-steps
// ("✓ Preparing nodes", "✓ Starting control-plane") and warnings become
// detail lines under emmdev's step, shown with -v. With W set (the kind
// child of ExecCreate) the lines go to W as they are.
type Logger struct {
	P *progress.Printer
	W io.Writer
}

var _ log.Logger = Logger{}

func (l Logger) line(s string) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
	case l.W != nil:
		fmt.Fprintln(l.W, s)
	default:
		l.P.Detail("kind: %s", s)
	}
}

// Warn implements log.Logger.
func (l Logger) Warn(message string) { l.line(message) }

// Warnf implements log.Logger.
func (l Logger) Warnf(format string, args ...any) { l.line(fmt.Sprintf(format, args...)) }

// Error implements log.Logger.
func (l Logger) Error(message string) { l.line(message) }

// Errorf implements log.Logger.
func (l Logger) Errorf(format string, args ...any) { l.line(fmt.Sprintf(format, args...)) }

// V implements log.Logger; only kind's level-0 messages are kept.
func (l Logger) V(level log.Level) log.InfoLogger { return infoLogger{l: l, on: level == 0} }

type infoLogger struct {
	l  Logger
	on bool
}

func (i infoLogger) Info(message string) {
	if i.on {
		i.l.line(message)
	}
}

func (i infoLogger) Infof(format string, args ...any) {
	if i.on {
		i.l.line(fmt.Sprintf(format, args...))
	}
}

func (i infoLogger) Enabled() bool { return i.on }
