package cmdutil

import (
	"context"
	"errors"
	"fmt"
)

// Exit codes shared by every subcommand.
const (
	ExitOK          = 0   // success, nothing to report
	ExitFindings    = 1   // the tool worked and found problems (lint findings, pods not ready)
	ExitFailure     = 2   // usage error or the tool itself failed (I/O, parse, cluster)
	ExitInterrupted = 130 // cancelled by SIGINT/SIGTERM
)

// ErrFindings is returned (wrapped) when a command completed and found
// problems it already reported; Main exits 1 without printing it again.
var ErrFindings = errors.New("findings reported")

// ErrSilent is returned when the command already printed its failure;
// Main exits 2 without printing anything more.
var ErrSilent = errors.New("failure already reported")

// UsageError marks a bad invocation (unknown flag, wrong argument count,
// conflicting options); it exits 2 like any failure but hints at --help.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// Usagef builds a UsageError.
func Usagef(format string, a ...any) error {
	return &UsageError{Err: fmt.Errorf(format, a...)}
}

// FindingsError carries a summary for exit code 1.
type FindingsError struct{ Summary string }

func (e *FindingsError) Error() string { return e.Summary }
func (e *FindingsError) Unwrap() error { return ErrFindings }

// ExitCode maps an error returned by a command to the process exit code.
func ExitCode(err error) int {
	switch {
	case err == nil:
		return ExitOK
	case errors.Is(err, context.Canceled):
		return ExitInterrupted
	case errors.Is(err, ErrFindings):
		return ExitFindings
	default:
		return ExitFailure
	}
}
