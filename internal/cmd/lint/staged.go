package lint

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/emmdev/emmdev/internal/lint"
	"github.com/emmdev/emmdev/internal/lint/loader"
)

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
	args := []string{"diff", "--cached", "--name-only", "-z", "--diff-filter=ACMR", "--"}
	args = append(args, o.Paths...)
	out, err = o.Git.Output(o.Ctx, wd, args...)
	if err != nil {
		return err
	}
	var inputs []loader.Input
	staged := map[string]bool{}
	for _, p := range splitZ(out) { // root-relative
		if !loader.IsManifestName(p) || loader.IsHidden(p) {
			continue
		}
		staged[p] = true
		inputs = append(inputs, loader.Input{Name: p, Read: func(int64) ([]byte, error) {
			b, err := o.Git.Output(o.Ctx, root, "show", ":"+p)
			if err != nil {
				return nil, fmt.Errorf("reading staged %s: %w", p, err)
			}
			return b, nil
		}})
	}
	if len(inputs) == 0 {
		_, err := fmt.Fprintln(o.IO.ErrOut, "✓ no staged manifests to lint")
		return err
	}
	ctxInputs, err := treeInputs(o, root, staged)
	if err != nil {
		return err
	}
	start := root
	if len(o.Paths) > 0 {
		start = resolve(wd, o.Paths[0])
	}
	kc, err := kindConfig(o, wd, start)
	if err != nil {
		return err
	}
	return lintAndReport(o, wd, start, lint.Config{Inputs: inputs, ContextInputs: ctxInputs, KindConfig: kc})
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
		if staged[p] || !loader.IsManifestName(p) || loader.IsHidden(p) {
			continue
		}
		inputs = append(inputs, loader.FileInput(filepath.Join(root, p)))
	}
	return inputs, nil
}
