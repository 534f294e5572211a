package lint_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emmdev/emmdev/internal/testenv"
)

// gitRepo creates a repository with an identity, isolated from the user's
// git configuration.
func gitRepo(t *testing.T) (string, func(args ...string)) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		testenv.SkipOrFail(t, "git not installed: --staged and --install-hook need it")
	}
	dir := t.TempDir()
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
			"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	git("init", "-q", "-b", "main")
	return dir, git
}

const goodDeployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: agentic-ai
spec:
  strategy:
    rollingUpdate: {maxUnavailable: 0, maxSurge: 1}
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
        - name: api
          image: ghcr.io/emm/api:1.0.0
          env:
            - name: TOKEN
              valueFrom:
                secretKeyRef: {name: api-token, key: token}
          readinessProbe:
            httpGet: {path: /healthz, port: 8080}
          resources:
            requests: {cpu: 100m, memory: 128Mi}
            limits: {cpu: 500m, memory: 256Mi}
`

const sealedToken = `apiVersion: bitnami.com/v1alpha1
kind: SealedSecret
metadata:
  name: api-token
  namespace: agentic-ai
spec:
  encryptedData:
    token: AgBy3i4OJSWK+PiTySYZZA9rO43cGDEq
`

func TestStaged(t *testing.T) {
	t.Parallel()
	dir, git := gitRepo(t)
	mustWrite(t, filepath.Join(dir, "manifests", "token.sealedsecret.yaml"), sealedToken)
	mustWrite(t, filepath.Join(dir, "manifests", "api.yaml"), goodDeployment)
	mustWrite(t, filepath.Join(dir, "README.md"), "not a manifest\n")
	mustWrite(t, filepath.Join(dir, ".pre-commit-config.yaml"), "repos: []\n")
	git("add", "manifests/token.sealedsecret.yaml", "README.md")
	git("commit", "-q", "-m", "token")

	// Nothing staged under manifests/: the hook passes without linting.
	r := run(t, dir, "", "lint", "--staged", "manifests/")
	if r.code != 0 || !strings.Contains(r.errOut, "no staged manifests") {
		t.Fatalf("nothing staged: exit %d %q", r.code, r.errOut)
	}

	// The staged version is linted, not the working tree: stage a broken
	// version, then fix the file without staging the fix.
	mustWrite(t, filepath.Join(dir, "manifests", "api.yaml"), strings.Replace(goodDeployment, "ghcr.io/emm/api:1.0.0", "ghcr.io/emm/api:latest", 1))
	git("add", "manifests/api.yaml")
	mustWrite(t, filepath.Join(dir, "manifests", "api.yaml"), goodDeployment)
	r = run(t, dir, "", "lint", "--staged", "--fail-on", "warning", "manifests/")
	if r.code != 1 || !strings.Contains(r.out, "manifests/api.yaml:17:11: warning [image-latest]") {
		t.Fatalf("staged content not linted: exit %d\n%s%s", r.code, r.out, r.errOut)
	}
	// The secretKeyRef resolves against the committed (unstaged) SealedSecret.
	if strings.Contains(r.out, "secret-ref-missing") {
		t.Errorf("reference did not resolve against the working tree:\n%s", r.out)
	}

	// Stage the good version: clean. Staged tool configuration
	// (.pre-commit-config.yaml) is not a manifest and is not linted.
	git("add", "manifests/api.yaml", ".pre-commit-config.yaml")
	if r := run(t, dir, "", "lint", "--staged", "--fail-on", "warning"); r.code != 0 {
		t.Fatalf("good staged content: exit %d\n%s%s", r.code, r.out, r.errOut)
	}

	// A staged plaintext Secret blocks the commit; a broken staged file
	// fails closed naming its path.
	mustWrite(t, filepath.Join(dir, "manifests", "leak.yaml"), "apiVersion: v1\nkind: Secret\nmetadata: {name: leak}\nstringData: {k: v}\n")
	mustWrite(t, filepath.Join(dir, "manifests", "bad.yaml"), "apiVersion: v1\nkind: [\n")
	git("add", "manifests/leak.yaml")
	r = run(t, dir, "", "lint", "--staged", "manifests")
	if r.code != 1 || !strings.Contains(r.out, "manifests/leak.yaml:4:1: error [plaintext-secret]") {
		t.Fatalf("leak: exit %d\n%s%s", r.code, r.out, r.errOut)
	}
	git("add", "manifests/bad.yaml")
	r = run(t, dir, "", "lint", "--staged", "manifests")
	if r.code != 1 || !strings.Contains(r.out, "manifests/bad.yaml:2: error [parse]") || !strings.Contains(r.out, "manifests/leak.yaml:4:1: error [plaintext-secret]") {
		t.Fatalf("broken staged file must be a parse finding next to the leak: exit %d\n%s%s", r.code, r.out, r.errOut)
	}
}

func TestStagedOutsideGit(t *testing.T) {
	t.Parallel()
	r := run(t, t.TempDir(), "", "lint", "--staged")
	if r.code != 2 || !strings.Contains(r.errOut, "--staged needs a git repository") {
		t.Fatalf("exit %d %q", r.code, r.errOut)
	}
}

func TestInstallHook(t *testing.T) {
	t.Parallel()
	dir, git := gitRepo(t)
	hook := filepath.Join(dir, ".git", "hooks", "pre-commit")
	mustWrite(t, filepath.Join(dir, "manifests", "api.yaml"), goodDeployment)
	mustWrite(t, filepath.Join(dir, "manifests", "token.sealedsecret.yaml"), sealedToken)
	mustWrite(t, filepath.Join(dir, "it's here", "x.yaml"), goodDeployment)
	mustWrite(t, filepath.Join(dir, "other", "leak.yaml"), "apiVersion: v1\nkind: Secret\nmetadata: {name: leak}\nstringData: {k: v}\n")

	// A typo is refused, and nothing is written.
	r := run(t, dir, "", "lint", "--install-hook", "manifest/")
	if r.code != 2 || !strings.Contains(r.errOut, "--install-hook manifest/: no such file or directory") {
		t.Fatalf("typo: exit %d %q", r.code, r.errOut)
	}
	if _, err := os.Stat(hook); err == nil {
		t.Fatal("hook written for a path that does not exist")
	}

	r = run(t, dir, "", "lint", "--install-hook", "manifests/", "it's here")
	if r.code != 0 {
		t.Fatalf("install: exit %d %q", r.code, r.errOut)
	}
	fi, err := os.Stat(hook)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o755 {
		t.Errorf("hook mode %v, want 0755", fi.Mode().Perm())
	}
	body, _ := os.ReadFile(hook)
	if !strings.Contains(string(body), "exec emmdev lint --staged\n") || !strings.Contains(string(body), "# Scope (git config emmdev.lint.path / emmdev.lint.kustomize): manifests it's here") {
		t.Errorf("hook body:\n%s", body)
	}
	if out, err := exec.Command("sh", "-n", hook).CombinedOutput(); err != nil {
		t.Errorf("hook is not valid sh: %v %s", err, out)
	}
	// The recorded paths are what a plain --staged lints: the leak outside
	// them is not linted, one inside is.
	git("add", "other/leak.yaml", "manifests/api.yaml")
	if r := run(t, dir, "", "lint", "--staged"); r.code != 0 || strings.Contains(r.out, "leak") {
		t.Fatalf("recorded scope: exit %d\n%s%s", r.code, r.out, r.errOut)
	}
	mustWrite(t, filepath.Join(dir, "manifests", "leak.yaml"), "apiVersion: v1\nkind: Secret\nmetadata: {name: leak}\nstringData: {k: v}\n")
	git("add", "manifests/leak.yaml")
	if r := run(t, dir, "", "lint", "--staged"); r.code != 1 || !strings.Contains(r.out, "manifests/leak.yaml:4:1: error [plaintext-secret]") {
		t.Fatalf("recorded scope misses manifests/: exit %d\n%s%s", r.code, r.out, r.errOut)
	}

	// From a subdirectory, paths are stored relative to the repository
	// root, where hooks run.
	sub := filepath.Join(dir, "manifests")
	if r := run(t, sub, "", "lint", "--install-hook", "."); r.code != 0 {
		t.Fatalf("install from subdir: exit %d %q", r.code, r.errOut)
	}
	cmd := exec.Command("git", "config", "--get-all", "emmdev.lint.path")
	cmd.Dir = dir
	if out, err := cmd.Output(); err != nil || string(out) != "manifests\n" {
		t.Errorf("recorded from subdir: %q %v, want manifests", out, err)
	}
	if r := run(t, dir, "", "lint", "--staged"); r.code != 1 || !strings.Contains(r.out, "manifests/leak.yaml:4:1") {
		t.Fatalf("subdir-installed scope, run from root: exit %d\n%s%s", r.code, r.out, r.errOut)
	}

	// Reinstalling over our own hook is fine.
	if r := run(t, dir, "", "lint", "--install-hook"); r.code != 0 {
		t.Fatalf("reinstall: exit %d %q", r.code, r.errOut)
	}
	// A foreign hook is kept unless --force.
	mustWrite(t, hook, "#!/bin/sh\nmake check\n")
	r = run(t, dir, "", "lint", "--install-hook")
	if r.code != 2 || !strings.Contains(r.errOut, "was not written by emmdev") {
		t.Fatalf("foreign hook: exit %d %q", r.code, r.errOut)
	}
	if body, _ := os.ReadFile(hook); string(body) != "#!/bin/sh\nmake check\n" {
		t.Fatal("foreign hook modified")
	}
	if r := run(t, dir, "", "lint", "--install-hook", "--force"); r.code != 0 {
		t.Fatalf("--force: exit %d %q", r.code, r.errOut)
	}
	entries, _ := os.ReadDir(filepath.Dir(hook))
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".emmdev-hook-") {
			t.Errorf("temp file left behind: %s", e.Name())
		}
	}
}

// TestStagedFailsClosed: a --staged path that matches nothing in the index
// or the work tree is a usage error, not "no staged manifests".
func TestStagedFailsClosed(t *testing.T) {
	t.Parallel()
	dir, git := gitRepo(t)
	mustWrite(t, filepath.Join(dir, "manifests", "api.yaml"), goodDeployment)
	mustWrite(t, filepath.Join(dir, "manifests", "token.sealedsecret.yaml"), sealedToken)
	git("add", ".")
	git("commit", "-q", "-m", "init")
	for _, p := range []string{"manifest/", "nonexistent/", "manifests/typo.yaml"} {
		r := run(t, dir, "", "lint", "--staged", p)
		if r.code != 2 || !strings.Contains(r.errOut, "matches nothing in the git index or the work tree") {
			t.Errorf("--staged %s: exit %d %q", p, r.code, r.errOut)
		}
	}
	// An existing path with nothing staged passes, saying so.
	if r := run(t, dir, "", "lint", "--staged", "manifests/"); r.code != 0 || !strings.Contains(r.errOut, "no staged manifests") {
		t.Errorf("nothing staged: exit %d %q", r.code, r.errOut)
	}
	// A file deleted from the work tree but still in the index exists.
	if err := os.Remove(filepath.Join(dir, "manifests", "api.yaml")); err != nil {
		t.Fatal(err)
	}
	if r := run(t, dir, "", "lint", "--staged", "manifests/api.yaml"); r.code != 0 {
		t.Errorf("path only in the index: exit %d %q", r.code, r.errOut)
	}
}
