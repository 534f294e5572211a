package repo

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func mkdirs(t *testing.T, root string, dirs ...string) {
	t.Helper()
	for _, d := range dirs {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
}

func touch(t *testing.T, path string) {
	t.Helper()
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestRootFindsNearestMarker(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	mkdirs(t, base, "proj/.git", "proj/sub/deep", "proj/nested/.emmdev", "proj/nested/x", "other/a")
	touch(t, filepath.Join(base, "proj", "nested", "kind-config.yaml"))
	cases := []struct{ from, want string }{
		{"proj", "proj"},
		{"proj/sub/deep", "proj"},
		{"proj/nested/x", "proj/nested"}, // the nearest project wins
	}
	for _, tc := range cases {
		got, err := Root(filepath.Join(base, tc.from))
		if err != nil || got != filepath.Join(base, tc.want) {
			t.Errorf("Root(%s) = %q, %v; want %s", tc.from, got, err, tc.want)
		}
	}
	if _, err := Root(filepath.Join(base, "other", "a")); !errors.Is(err, ErrNotFound) {
		// The temp folder has no marker above it on any sane machine.
		t.Errorf("outside any project: err = %v, want ErrNotFound", err)
	}
}

func TestGitWorkTree(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	mkdirs(t, base, "wt/.git", "wt/a", "linked/b", "plain")
	touch(t, filepath.Join(base, "linked", ".git")) // a worktree's .git is a file
	cases := []struct{ path, want string }{
		{"wt/a/key.pem", "wt"},
		{"wt/not/yet/made/key.pem", "wt"},
		{"linked/b/key.pem", "linked"},
		{"plain/key.pem", ""},
	}
	for _, tc := range cases {
		got, err := GitWorkTree(filepath.Join(base, tc.path))
		want := ""
		if tc.want != "" {
			want = filepath.Join(base, tc.want)
		}
		if err != nil || got != want {
			t.Errorf("GitWorkTree(%s) = %q, %v; want %q", tc.path, got, err, want)
		}
	}
}
