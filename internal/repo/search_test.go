package repo

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// TestFindUpStopsAtTheGitRootOrCwd: the nearest match up from start wins;
// the walk never leaves the git repository, and outside git it stops at
// cwd, so a file in an unrelated parent is not picked up.
func TestFindUpStopsAtTheGitRootOrCwd(t *testing.T) {
	top := t.TempDir()
	mk := func(p string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Join(top, p), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	mk("outside/target")        // above the repository: must not be found
	mk("outside/repo/.git")     // the repository root
	mk("outside/repo/a/b")      // where the walk starts
	mk("outside/repo/a/target") // nearest match
	mk("plain/target")          // not in git, above cwd
	mk("plain/cwd/start")       // not in git
	anything := func(fs.FileInfo) bool { return true }
	dirs := fs.FileInfo.IsDir

	got, err := FindUp(filepath.Join(top, "outside/repo/a/b"), "", "target", dirs)
	if err != nil || got != filepath.Join(top, "outside/repo/a/target") {
		t.Errorf("nearest: %q %v", got, err)
	}
	if err := os.Remove(filepath.Join(top, "outside/repo/a/target")); err != nil {
		t.Fatal(err)
	}
	if got, err := FindUp(filepath.Join(top, "outside/repo/a/b"), "", "target", anything); err != nil || got != "" {
		t.Errorf("left the git repository: %q %v", got, err)
	}
	if got, err := FindUp(filepath.Join(top, "plain/cwd/start"), filepath.Join(top, "plain/cwd"), "target", anything); err != nil || got != "" {
		t.Errorf("went above cwd outside git: %q %v", got, err)
	}
	if got, err := FindUp(filepath.Join(top, "plain/cwd/start"), top, "target", anything); err != nil || got != filepath.Join(top, "plain/target") {
		t.Errorf("below cwd outside git: %q %v", got, err)
	}
	if got, err := FindUp(filepath.Join(top, "plain/cwd/start"), top, "target", func(fi fs.FileInfo) bool { return !fi.IsDir() }); err != nil || got != "" {
		t.Errorf("accept ignored: %q %v", got, err)
	}
}
