package lint

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/emmdev/emmdev/internal/atomicfile"
)

// hookMarker identifies a hook emmdev wrote, which it may replace.
const hookMarker = "# emmdev-managed pre-commit hook"

// hookScript runs emmdev from PATH, with a clear message when it is not
// installed instead of a cryptic "command not found".
func hookScript(paths []string) string {
	args := "--staged"
	if len(paths) > 0 {
		quoted := make([]string, len(paths))
		for i, p := range paths {
			quoted[i] = "'" + strings.ReplaceAll(p, "'", `'\''`) + "'"
		}
		args += " -- " + strings.Join(quoted, " ")
	}
	return `#!/bin/sh
` + hookMarker + ` (emmdev lint --install-hook).
# Lints the manifests staged for this commit. Bypass once: git commit --no-verify
if ! command -v emmdev >/dev/null 2>&1; then
	echo "pre-commit: emmdev not found on PATH; install it: go install github.com/emmdev/emmdev/cmd/emmdev@latest" >&2
	exit 1
fi
exec emmdev lint ` + args + "\n"
}

// runInstallHook writes the pre-commit hook atomically (temp file + rename)
// with mode 0755, refusing to replace a hook someone else wrote unless
// --force.
func runInstallHook(o *Options) error {
	wd, err := o.workDir()
	if err != nil {
		return err
	}
	out, err := o.Git.Output(o.Ctx, wd, "rev-parse", "--git-path", "hooks")
	if err != nil {
		return fmt.Errorf("--install-hook needs a git repository: %w", err)
	}
	dir := resolve(wd, strings.TrimSpace(string(out)))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating hooks directory: %w", err)
	}
	path := filepath.Join(dir, "pre-commit")
	existing, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return fmt.Errorf("reading existing hook: %w", err)
	case !bytes.Contains(existing, []byte(hookMarker)) && !o.Force:
		return fmt.Errorf("%s exists and was not written by emmdev; add `emmdev lint --staged` to it yourself, or rerun with --force to replace it", path)
	}
	if err := atomicfile.Write(path, []byte(hookScript(o.Paths)), 0o755); err != nil {
		return fmt.Errorf("writing hook: %w", err)
	}
	_, err = fmt.Fprintf(o.IO.ErrOut, "✓ installed %s\n", path)
	return err
}
