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
	"github.com/emmdev/emmdev/internal/cmdutil"
)

// hookMarker identifies a hook emmdev wrote, which it may replace.
const hookMarker = "# emmdev-managed pre-commit hook"

// hookScript runs emmdev from PATH, with a clear message when it is not
// installed instead of a cryptic "command not found". It runs a plain
// `emmdev lint --staged`, which reads the paths recorded in git config, so
// the hook and a manual run lint the same thing; the comment shows them.
func hookScript(hc hookConfig) string {
	scope := "every staged manifest"
	if len(hc.paths)+len(hc.kustomize) > 0 {
		var parts []string
		for _, p := range hc.paths {
			parts = append(parts, oneLine(p))
		}
		for _, k := range hc.kustomize {
			parts = append(parts, "-k "+oneLine(k))
		}
		scope = strings.Join(parts, " ")
	}
	return `#!/bin/sh
` + hookMarker + ` (emmdev lint --install-hook).
# Lints the manifests staged for this commit. Bypass once: git commit --no-verify
# Scope (git config ` + hookPathKey + ` / ` + hookKustomizeKey + `): ` + scope + `
if ! command -v emmdev >/dev/null 2>&1; then
	echo "pre-commit: emmdev not found on PATH; install it: go install github.com/emmdev/emmdev/cmd/emmdev@latest" >&2
	exit 1
fi
exec emmdev lint --staged
`
}

// oneLine keeps a path from breaking out of the comment line.
func oneLine(s string) string { return strings.NewReplacer("\n", `\n`, "\r", `\r`).Replace(s) }

// runInstallHook writes the pre-commit hook atomically (temp file + rename)
// with mode 0755, refusing to replace a hook someone else wrote unless
// --force.
func runInstallHook(o *Options) error {
	wd, err := o.workDir()
	if err != nil {
		return err
	}
	out, err := o.Git.Output(o.Ctx, wd, "rev-parse", "--show-toplevel")
	if err != nil {
		return fmt.Errorf("--install-hook needs a git repository: %w", err)
	}
	root := strings.TrimSpace(string(out))
	// Refuse what does not exist: a typo would make every later commit
	// pass with "no staged manifests". Store root-relative paths, since
	// hooks run from the repository root whatever directory this ran in.
	var hc hookConfig
	for _, group := range []struct {
		flag string
		in   []string
		out  *[]string
	}{{"", o.Paths, &hc.paths}, {"-k ", o.Kustomize, &hc.kustomize}} {
		for _, p := range group.in {
			if _, err := os.Stat(resolve(wd, p)); err != nil {
				return cmdutil.Usagef("--install-hook %s%s: %v; give paths that exist (relative to %s)", group.flag, p, errors.Unwrap(err), orDot(wd))
			}
			rel, err := rootRelative(wd, root, p)
			if err != nil {
				return cmdutil.Usagef("--install-hook %s%s: %v", group.flag, p, err)
			}
			*group.out = append(*group.out, rel)
		}
	}
	out, err = o.Git.Output(o.Ctx, wd, "rev-parse", "--git-path", "hooks")
	if err != nil {
		return fmt.Errorf("--install-hook: %w", err)
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
	if err := writeHookConfig(o, root, hc); err != nil {
		return fmt.Errorf("recording the hook's paths in git config: %w", err)
	}
	if err := atomicfile.Write(path, []byte(hookScript(hc)), 0o755); err != nil {
		return fmt.Errorf("writing hook: %w", err)
	}
	scope := "every staged manifest"
	if len(hc.paths)+len(hc.kustomize) > 0 {
		scope = strings.Join(append(append([]string(nil), hc.paths...), prefixed("-k ", hc.kustomize)...), " ")
	}
	_, err = fmt.Fprintf(o.IO.ErrOut, "✓ installed %s (lints %s; emmdev lint --staged does the same)\n", path, scope)
	return err
}

func prefixed(p string, ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = p + s
	}
	return out
}

func orDot(wd string) string {
	if wd == "" {
		return "the current directory"
	}
	return wd
}
