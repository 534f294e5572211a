package seal

import "path/filepath"

// resolve makes a user-given relative path relative to the factory's
// working directory (not the process's), so tests and callers that run
// emmdev in-process get the same behaviour as the CLI. Messages keep
// showing the path as the user wrote it.
func resolve(workDir func() (string, error), p string) string {
	if p == "" || p == "-" || filepath.IsAbs(p) || workDir == nil {
		return p
	}
	wd, err := workDir()
	if err != nil {
		return p
	}
	return filepath.Join(wd, p)
}

func (o *Options) abs(p string) string { return resolve(o.WorkDir, p) }
