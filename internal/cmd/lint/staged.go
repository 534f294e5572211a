package lint

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/emmdev/emmdev/internal/cmdutil"
	"github.com/emmdev/emmdev/internal/lint"
	"github.com/emmdev/emmdev/internal/lint/loader"
)

// stagedScope is what --staged lints: root-relative paths (nil = every
// staged manifest) and kustomization directories, from the command line
// or, when none are given, from what --install-hook recorded.
type stagedScope struct {
	paths, kustomize []string
	recorded         bool
}

// runStaged lints what `git commit` would record: the blobs in the index for
// added, copied, modified or renamed manifests under the given paths. Secret
// references and CRDs resolve against the whole working tree, since the
// commit lands on top of it.
func runStaged(o *Options) error {
	wd, err := o.workDir()
	if err != nil {
		return err
	}
	out, err := o.Git.Output(o.Ctx, wd, "rev-parse", "--show-toplevel")
	if err != nil {
		return fmt.Errorf("--staged needs a git repository: %w", err)
	}
	root := strings.TrimSpace(string(out))
	scope, err := resolveStagedScope(o, wd, root)
	if err != nil {
		return err
	}
	start := root
	if len(scope.paths) > 0 {
		start = filepath.Join(root, scope.paths[0])
	}
	l, err := loadPolicy(o, wd, start)
	if err != nil {
		return err
	}
	excl, err := o.exclude(l.Policy)
	if err != nil {
		return err
	}
	args := []string{"diff", "--cached", "--name-only", "-z", "--diff-filter=ACMR", "--"}
	args = append(args, pathspecs(scope.paths)...)
	if out, err = o.Git.Output(o.Ctx, root, args...); err != nil {
		return err
	}
	if len(scope.paths) == 0 && len(scope.kustomize) > 0 {
		// Only -k: the kustomization's files are linted as rendered, not
		// one by one (a patch alone is not a valid object).
		out = nil
	}
	var inputs []loader.Input
	var skipped []loader.Skipped
	staged := map[string]bool{}
	charts := map[string]bool{}
	patches := loader.NewKustomizePatches(root)
	for _, p := range splitZ(out) { // root-relative
		if !loader.IsManifestName(p) {
			continue
		}
		staged[p] = true
		if _, ex := excl.Match(p); ex {
			continue
		}
		if why := loader.NotManifest(p); why != "" {
			skipped = append(skipped, loader.Skipped{Path: p, Reason: why})
			continue
		}
		if loader.IsHidden(p) {
			continue
		}
		if patches.IsPatch(filepath.Join(root, filepath.FromSlash(p))) {
			skipped = append(skipped, loader.Skipped{Path: p, Reason: "kustomize patch (lint the overlay with -k DIR, which locates findings in this file)"})
			continue
		}
		if chart := helmChartOf(root, p); chart != "" {
			if !charts[chart] {
				charts[chart] = true
				skipped = append(skipped, loader.Skipped{Path: chart + "/", Reason: "Helm chart (templates are not YAML until rendered: helm template DIR | emmdev lint -)"})
			}
			continue
		}
		inputs = append(inputs, loader.Input{Name: p, Read: func(int64) ([]byte, error) {
			b, err := o.Git.Output(o.Ctx, root, "show", ":"+p)
			if err != nil {
				return nil, fmt.Errorf("reading staged %s: %w", p, err)
			}
			return b, nil
		}})
	}
	o.noteSkipped(skipped)
	var relocate func(*lint.Result)
	if len(scope.kustomize) > 0 {
		idx, err := newIndexFS(o, root)
		if err != nil {
			return err
		}
		kin, rel, err := kustomizeInputs(o, root, idx, scope.kustomize...)
		if err != nil {
			return err
		}
		inputs, relocate = append(inputs, kin...), rel
	}
	if len(inputs) == 0 {
		_, err := fmt.Fprintln(o.IO.ErrOut, "✓ no staged manifests to lint")
		return err
	}
	ctxInputs, err := treeInputs(o, root, staged)
	if err != nil {
		return err
	}
	kc, err := kindConfig(o, wd, start)
	if err != nil {
		return err
	}
	return lintAndReport(o, l, lint.Config{Inputs: inputs, ContextInputs: ctxInputs, KindConfig: kc}, relocate)
}

// resolveStagedScope turns the command-line paths (relative to wd) into
// root-relative ones, or reads the ones --install-hook recorded. A path that
// matches nothing in the index or the work tree is a usage error: a typo
// must not turn the hook into a silent pass.
func resolveStagedScope(o *Options, wd, root string) (stagedScope, error) {
	var sc stagedScope
	if len(o.Paths) == 0 && len(o.Kustomize) == 0 {
		rec, err := readHookConfig(o, root)
		if err != nil {
			return sc, err
		}
		sc = stagedScope{paths: rec.paths, kustomize: rec.kustomize, recorded: true}
	} else {
		for _, p := range o.Paths {
			rel, err := rootRelative(wd, root, p)
			if err != nil {
				return sc, cmdutil.Usagef("--staged %s: %v", p, err)
			}
			sc.paths = append(sc.paths, rel)
		}
		for _, k := range o.Kustomize {
			rel, err := rootRelative(wd, root, k)
			if err != nil {
				return sc, cmdutil.Usagef("-k %s: %v", k, err)
			}
			sc.kustomize = append(sc.kustomize, rel)
		}
	}
	for _, p := range append(append([]string(nil), sc.paths...), sc.kustomize...) {
		ok, err := existsInTreeOrIndex(o, root, p)
		if err != nil {
			return sc, err
		}
		if !ok {
			hint := "check the spelling"
			if sc.recorded {
				hint = "it was recorded by --install-hook; run emmdev lint --install-hook PATH... again"
			}
			return sc, cmdutil.Usagef("--staged: %s matches nothing in the git index or the work tree (%s)", p, hint)
		}
	}
	return sc, nil
}

// rootRelative resolves p against wd and makes it relative to the
// repository root, refusing paths outside it.
func rootRelative(wd, root, p string) (string, error) {
	if wd == "" {
		var err error
		if wd, err = os.Getwd(); err != nil {
			return "", err
		}
	}
	abs := p
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(wd, p)
	}
	realRoot := root
	if r, err := filepath.EvalSymlinks(root); err == nil {
		realRoot = r
	}
	if r, err := filepath.EvalSymlinks(filepath.Dir(abs)); err == nil {
		abs = filepath.Join(r, filepath.Base(abs))
	}
	rel, err := filepath.Rel(realRoot, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("is outside the repository %s", root)
	}
	return filepath.ToSlash(rel), nil
}

func existsInTreeOrIndex(o *Options, root, rel string) (bool, error) {
	if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(rel))); err == nil {
		return true, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return false, err
	}
	out, err := o.Git.Output(o.Ctx, root, "ls-files", "--cached", "-z", "--", rel)
	if err != nil {
		return false, err
	}
	return len(out) > 0, nil
}

// pathspecs makes root-relative paths literal git pathspecs, so a path with
// glob characters means itself.
func pathspecs(paths []string) []string {
	out := make([]string, 0, len(paths))
	for _, p := range paths {
		if p == "." {
			out = append(out, ":(top)")
			continue
		}
		out = append(out, ":(top,literal)"+p)
	}
	return out
}

// helmChartOf returns the root-relative directory of the Helm chart holding
// p (a Chart.yaml in p's directory or above, below root), or "".
func helmChartOf(root, p string) string {
	for d := path.Dir(p); d != "." && d != "/"; d = path.Dir(d) {
		for _, n := range []string{"Chart.yaml", "Chart.yml"} {
			if fi, err := os.Stat(filepath.Join(root, filepath.FromSlash(d), n)); err == nil && fi.Mode().IsRegular() {
				return d
			}
		}
	}
	return ""
}

// treeInputs lists the manifests of the working tree (tracked and untracked,
// not ignored), except the staged ones whose index version is linted.
func treeInputs(o *Options, root string, staged map[string]bool) ([]loader.Input, error) {
	out, err := o.Git.Output(o.Ctx, root, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	if err != nil {
		return nil, err
	}
	var inputs []loader.Input
	for _, p := range splitZ(out) {
		if staged[p] || !loader.IsManifestName(p) || loader.IsHidden(p) || loader.NotManifest(p) != "" {
			continue
		}
		inputs = append(inputs, loader.FileInput(filepath.Join(root, p)))
	}
	return inputs, nil
}
