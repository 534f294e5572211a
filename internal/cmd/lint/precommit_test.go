package lint_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestPreCommitFramework runs the framework hook of .pre-commit-hooks.yaml
// with the real pre-commit tool (Debian's package; CI installs it): a
// repository holding a snapshot of this source tree is the hook repository,
// pre-commit builds emmdev from it (language: golang) and runs it on
// commit in a second, temporary repository. A bad manifest blocks the
// commit, a good one passes, a typo in args blocks every commit, and a
// commit made from a subdirectory is linted like one from the root.
func TestPreCommitFramework(t *testing.T) {
	if testing.Short() {
		t.Skip("builds emmdev through pre-commit (about a minute)")
	}
	if _, err := exec.LookPath("pre-commit"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("pre-commit not installed: CI must run the framework hook test (apt-get install pre-commit)")
		}
		t.Skip("pre-commit not installed (apt-get install pre-commit)")
	}
	hookRepo := snapshotSource(t)
	dir, git := gitRepo(t)
	env := append(os.Environ(), "PRE_COMMIT_HOME="+filepath.Join(t.TempDir(), "cache"),
		"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
	// pre-commit points GOPATH at its own environment; keep the shared
	// module cache so the build needs no download.
	if out, err := exec.Command("go", "env", "GOMODCACHE", "GOCACHE").Output(); err == nil {
		v := strings.Fields(string(out))
		if len(v) == 2 {
			env = append(env, "GOMODCACHE="+v[0], "GOCACHE="+v[1], "GOFLAGS=-mod=mod", "GOTOOLCHAIN=local")
		}
	}
	cmd := func(wd string, name string, args ...string) (string, error) {
		c := exec.Command(name, args...)
		c.Dir, c.Env = wd, env
		out, err := c.CombinedOutput()
		return string(out), err
	}
	config := func(args string) {
		mustWrite(t, filepath.Join(dir, ".pre-commit-config.yaml"), "repos:\n  - repo: "+hookRepo.path+"\n    rev: "+hookRepo.rev+
			"\n    hooks:\n      - id: emmdev-lint\n        args: "+args+"\n")
	}
	config("[manifests/]")
	if out, err := cmd(dir, "pre-commit", "install"); err != nil {
		t.Fatalf("pre-commit install: %v\n%s", err, out)
	}
	mustWrite(t, filepath.Join(dir, "manifests", "token.sealedsecret.yaml"), sealedToken)
	mustWrite(t, filepath.Join(dir, "manifests", "api.yaml"), goodDeployment)
	git("add", ".")
	if out, err := cmd(dir, "git", "commit", "-q", "-m", "good"); err != nil {
		t.Fatalf("a good manifest must commit: %v\n%s", err, out)
	}

	// A plaintext Secret blocks the commit, with the finding shown.
	mustWrite(t, filepath.Join(dir, "manifests", "leak.yaml"), "apiVersion: v1\nkind: Secret\nmetadata: {name: leak}\nstringData: {k: v}\n")
	git("add", "manifests/leak.yaml")
	out, err := cmd(dir, "git", "commit", "-q", "-m", "leak")
	if err == nil || !strings.Contains(out, "manifests/leak.yaml:4:1: error [plaintext-secret]") {
		t.Fatalf("a plaintext Secret must block the commit: %v\n%s", err, out)
	}
	// Committed from a subdirectory: the hook still runs from the root and
	// still blocks.
	out, err = cmd(filepath.Join(dir, "manifests"), "git", "commit", "-q", "-m", "leak from subdir")
	if err == nil || !strings.Contains(out, "manifests/leak.yaml:4:1: error [plaintext-secret]") {
		t.Fatalf("commit from a subdirectory must be blocked too: %v\n%s", err, out)
	}
	git("rm", "-q", "--cached", "manifests/leak.yaml")

	// A typo in args fails closed: every commit is blocked with the reason.
	config("[manifest/]")
	git("add", ".pre-commit-config.yaml")
	out, err = cmd(dir, "git", "commit", "-q", "-m", "typo")
	if err == nil || !strings.Contains(out, "manifest matches nothing in the git index or the work tree") {
		t.Fatalf("a typo in the hook's args must block the commit: %v\n%s", err, out)
	}
	config("[manifests/]")
	git("add", ".pre-commit-config.yaml")
	mustWrite(t, filepath.Join(dir, "manifests", "api.yaml"), strings.Replace(goodDeployment, "1.0.0", "1.0.1", 1))
	git("add", "manifests/api.yaml")
	if out, err := cmd(filepath.Join(dir, "manifests"), "git", "commit", "-q", "-m", "good from subdir"); err != nil {
		t.Fatalf("a good change committed from a subdirectory must pass: %v\n%s", err, out)
	}
}

type sourceSnapshot struct{ path, rev string }

// snapshotSource commits the current source tree (tracked and untracked,
// not ignored, with uncommitted edits) into a fresh repository, so the
// hook is built from exactly what is being tested.
func snapshotSource(t *testing.T) sourceSnapshot {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", "..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	ls := exec.Command("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	ls.Dir = root
	out, err := ls.Output()
	if err != nil {
		t.Fatalf("listing the source tree: %v", err)
	}
	dst, git := gitRepo(t)
	for _, p := range strings.Split(string(out), "\x00") {
		if p == "" {
			continue
		}
		data, err := os.ReadFile(filepath.Join(root, p))
		if err != nil {
			continue // deleted in the work tree
		}
		fi, _ := os.Stat(filepath.Join(root, p))
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dst, p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, p), data, fi.Mode().Perm()); err != nil {
			t.Fatal(err)
		}
	}
	git("add", "-A")
	git("commit", "-q", "-m", "snapshot")
	rev := exec.Command("git", "rev-parse", "HEAD")
	rev.Dir = dst
	sha, err := rev.Output()
	if err != nil {
		t.Fatal(err)
	}
	return sourceSnapshot{path: dst, rev: strings.TrimSpace(string(sha))}
}
