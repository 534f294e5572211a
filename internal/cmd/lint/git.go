package lint

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
)

// Git runs git subcommands; tests use a real git in a temp repository, and
// the interface keeps the command testable without one.
type Git interface {
	// Output runs `git args...` in dir and returns stdout.
	Output(ctx context.Context, dir string, args ...string) ([]byte, error)
}

// ExecGit runs the git binary found on PATH.
type ExecGit struct{}

// Output implements Git. The error carries git's own stderr message.
func (ExecGit) Output(ctx context.Context, dir string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if msg := strings.TrimSpace(stderr.String()); errors.As(err, &ee) && msg != "" {
			return nil, fmt.Errorf("git %s: %s", args[0], msg)
		}
		return nil, fmt.Errorf("git %s: %w", args[0], err)
	}
	return out, nil
}

// splitZ splits NUL-separated git output.
func splitZ(b []byte) []string {
	var out []string
	for _, s := range strings.Split(string(b), "\x00") {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
