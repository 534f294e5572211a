package lint

import (
	"fmt"

	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/emmdev/emmdev/internal/lint"
	"github.com/emmdev/emmdev/internal/lint/finding"
	"github.com/emmdev/emmdev/internal/lint/kustomize"
	"github.com/emmdev/emmdev/internal/lint/loader"
)

// kustomizeInputs renders each -k directory (relative to base) on fsys
// (nil = the disk) and returns one input per rendered object, plus the
// function that moves every finding on them to the base, patch or
// kustomization file and line the field came from.
func kustomizeInputs(o *Options, base string, fsys filesys.FileSystem, dirs ...string) ([]loader.Input, func(*lint.Result), error) {
	if len(dirs) == 0 {
		dirs = o.Kustomize
	}
	byName := map[string]*kustomize.Rendered{}
	var inputs []loader.Input
	for _, dir := range dirs {
		if err := o.Ctx.Err(); err != nil {
			return nil, nil, err
		}
		r, err := kustomize.Render(fsys, base, dir)
		if err != nil {
			return nil, nil, err
		}
		for i, ro := range r.Objects {
			// A name no file has, unique per object, mapped back below.
			name := fmt.Sprintf("%s (kustomize output #%d: %s)", dir, i+1, ro.Ref)
			byName[name] = ro
			inputs = append(inputs, loader.BytesInput(name, ro.YAML))
		}
	}
	return inputs, func(res *lint.Result) { relocate(res, byName) }, nil
}

// relocate rewrites findings on rendered objects to their source location
// and keeps the file count honest (source files, not rendered objects).
func relocate(res *lint.Result, byName map[string]*kustomize.Rendered) {
	// Count source files, not rendered objects: each rendered object was
	// one input.
	sources := map[string]bool{}
	for _, ro := range byName {
		sources[ro.Source()] = true
	}
	res.Files += len(sources) - len(byName)
	for i := range res.Findings {
		f := &res.Findings[i]
		ro, ok := byName[f.File]
		if !ok {
			continue
		}
		loc := ro.Locate(f.Path)
		f.File, f.Line, f.Col = loc.File, loc.Line, loc.Col
		if loc.Note != "" {
			f.Message += " (" + loc.Note + ")"
		}
	}
	finding.Sort(res.Findings)
}
