// Package repo finds the EMM project's root folder and tells whether a path
// lies inside a git work tree. Every command that resolves project files
// (kind-config.yaml, manifests/, .emmdev/) or refuses to put a secret into
// a repository uses it, so they all agree on where the project is.
package repo

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// markers are the files or folders that make a folder the project root; the
// nearest ancestor holding any of them wins, so `emmdev up` and `emmdev seal`
// work from any subfolder and relative paths never depend on the working
// directory (kind's trap).
func markers() []string { return []string{"kind-config.yaml", ".emmdev", ".git"} }

// ErrNotFound is returned when no ancestor holds a marker.
var ErrNotFound = errors.New("not inside the EMM project")

// Root walks up from dir to the first folder holding kind-config.yaml,
// .emmdev or .git.
func Root(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := abs; ; d = filepath.Dir(d) {
		for _, m := range markers() {
			if _, err := os.Lstat(filepath.Join(d, m)); err == nil {
				return d, nil
			}
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("%w: no %s, .emmdev or .git in %s or any parent: run emmdev inside the EMM repository", ErrNotFound, markers()[0], abs)
		}
	}
}

// GitWorkTree reports the work tree that contains path (a file or folder
// that need not exist yet), or "" when it is in none. A .git folder or file
// (worktrees and submodules use a file) marks the top of a work tree.
func GitWorkTree(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	for d := abs; ; d = filepath.Dir(d) {
		if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", nil
		}
	}
}
