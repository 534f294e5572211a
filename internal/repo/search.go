package repo

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
)

// FindUp walks up from start (a file or directory) to the first folder
// holding name for which accept says yes, and returns that path, or "" when
// there is none. The walk ends at the enclosing git root; outside a git
// repository it ends at cwd when cwd is an ancestor of start, so a file in
// an unrelated parent folder is never picked up. kind-config.yaml and
// policies/ are found this way, so lint, export and up agree on both.
func FindUp(start, cwd, name string, accept func(fs.FileInfo) bool) (string, error) {
	dir, err := filepath.Abs(start)
	if err != nil {
		return "", err
	}
	if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
		dir = filepath.Dir(dir)
	}
	var chain []string
	atGitRoot := false
	for d := dir; ; {
		chain = append(chain, d)
		if _, err := os.Stat(filepath.Join(d, ".git")); err == nil {
			atGitRoot = true
			break
		}
		parent := filepath.Dir(d)
		if parent == d {
			break
		}
		d = parent
	}
	if !atGitRoot && cwd != "" {
		if cwd, err = filepath.Abs(cwd); err != nil {
			return "", err
		}
		if i := slices.Index(chain, cwd); i >= 0 {
			chain = chain[:i+1]
		}
	}
	for _, d := range chain {
		p := filepath.Join(d, name)
		fi, err := os.Stat(p)
		switch {
		case err == nil && accept(fi):
			return p, nil
		case err != nil && !errors.Is(err, fs.ErrNotExist):
			return "", err
		}
	}
	return "", nil
}
