package lint

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/emmdev/emmdev/internal/cmdutil"
	"github.com/emmdev/emmdev/internal/lint"
	"github.com/emmdev/emmdev/internal/lint/finding"
	"github.com/emmdev/emmdev/internal/lint/loader"
	"github.com/emmdev/emmdev/internal/lint/policy"
	"github.com/emmdev/emmdev/internal/lint/report"
	"github.com/emmdev/emmdev/internal/policyload"
	"github.com/emmdev/emmdev/internal/schema"
)

// loadPolicy loads the rule configuration (see internal/policyload): the
// embedded policies, the repository's policies/ directory found walking up
// from start, and --policy. Lint runs the built-in rules' Go checks, so the
// shipped files of their admission twins are loaded only when asked
// (Loaded.CELSet).
func loadPolicy(o *Options, wd, start string) (*policyload.Loaded, error) {
	var checks string
	if dir := cacheDir(o); dir != "" {
		checks = filepath.Join(dir, "policy-checks")
	}
	l, err := policyload.Load(policyload.Options{WorkDir: wd, Start: start, PolicyFiles: o.PolicyFiles, CacheDir: checks, DeferShipped: true})
	if err != nil {
		return nil, err
	}
	for _, n := range l.Notices {
		fmt.Fprintf(o.IO.ErrOut, "notice: %s\n", n)
	}
	return l, nil
}

func resolve(wd, p string) string {
	if wd == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(wd, p)
}

// kindConfig returns the --kind-config file, or the kind-config.yaml found
// walking up from start.
func kindConfig(o *Options, wd, start string) (string, error) {
	if o.KindConfig != "" {
		p := resolve(wd, o.KindConfig)
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("--kind-config: %w", err)
		}
		return p, nil
	}
	return lint.FindKindConfig(resolve(wd, start), wd)
}

func runPaths(o *Options) error {
	wd, err := o.workDir()
	if err != nil {
		return err
	}
	start := "."
	switch {
	case len(o.Paths) > 0 && o.Paths[0] != "-":
		start = o.Paths[0]
	case len(o.Paths) == 0 && len(o.Kustomize) > 0:
		start = o.Kustomize[0]
	}
	l, err := loadPolicy(o, wd, resolve(wd, start))
	if err != nil {
		return err
	}
	excl, err := o.exclude(l.Policy)
	if err != nil {
		return err
	}
	inputs, skipped, err := loader.Expand(wd, o.Paths, o.IO.In, excl)
	if err != nil {
		return err
	}
	o.noteSkipped(skipped)
	var relocate func(*lint.Result)
	if len(o.Kustomize) > 0 {
		kin, rel, err := kustomizeInputs(o, wd, nil)
		if err != nil {
			return err
		}
		inputs, relocate = append(inputs, kin...), rel
	}
	kc, err := kindConfig(o, wd, start)
	if err != nil {
		return err
	}
	return lintAndReport(o, l, lint.Config{Inputs: inputs, KindConfig: kc}, relocate)
}

// exclude compiles --exclude and the policy's exclude list (both checked
// already, so an error here is a bug, reported rather than ignored).
func (o *Options) exclude(pol *policy.Policy) (*loader.Exclude, error) {
	pats := append(append([]string(nil), pol.Exclude...), o.Exclude...)
	x, err := loader.CompileExclude(pats)
	if err != nil {
		return nil, fmt.Errorf("exclude: %w", err)
	}
	return x, nil
}

// noteSkipped prints one line per well-known non-manifest file or Helm
// chart left out, on stderr so machine formats on stdout stay clean.
func (o *Options) noteSkipped(skipped []loader.Skipped) {
	for _, s := range skipped {
		fmt.Fprintf(o.IO.ErrOut, "note: skipped %s: %s\n", report.EscapeText(s.Path), s.Reason)
	}
}

func lintAndReport(o *Options, l *policyload.Loaded, cfg lint.Config, relocate func(*lint.Result)) error {
	reg := l.Registry
	cfg.Registry, cfg.Policy, cfg.CEL = reg, l.Policy, l.CEL
	cfg.SkipKinds = o.SkipKinds
	cfg.IgnoreMissingSchemas = o.IgnoreMissingSchemas
	cfg.KubernetesVersion = o.KubernetesVersion
	if o.SchemaEngine == "kubeconform" {
		cfg.NewValidator = kubeconformValidator(o)
	}
	res, err := lint.Run(o.Ctx, cfg)
	if err != nil {
		return err
	}
	if relocate != nil {
		relocate(res)
	}
	for _, n := range res.Notes {
		fmt.Fprintf(o.IO.ErrOut, "note: %s\n", n)
	}
	for _, n := range res.Notices {
		fmt.Fprintf(o.IO.ErrOut, "notice: %s\n", n)
	}
	in := report.Input{
		Findings: res.Findings, Rules: reg.All(), Objects: res.Objects, Files: res.Files,
		Version: o.Version, Color: o.IO.ColorOut(),
	}
	if err := report.Write(o.IO.Out, o.Format, in); err != nil {
		return fmt.Errorf("writing report: %w", err)
	}
	failOn, _ := finding.ParseSeverity(o.FailOn) // validated with the flags
	if finding.AtLeast(res.Findings, failOn) {
		return &cmdutil.FindingsError{Summary: report.Summary(in)}
	}
	return nil
}

// kubeconformValidator builds kubeconform's validator on the embedded schemas,
// exported once to the user cache dir (EMMDEV_CACHE overrides it).
func kubeconformValidator(o *Options) func(schema.Options) (lint.Validator, error) {
	return func(so schema.Options) (lint.Validator, error) {
		dir := o.IO.Env("EMMDEV_CACHE")
		if dir == "" {
			base, err := os.UserCacheDir()
			if err != nil {
				return nil, fmt.Errorf("--schema-engine kubeconform needs a cache dir: %w", err)
			}
			dir = filepath.Join(base, "emmdev")
		}
		return schema.NewKubeconform(so, filepath.Join(dir, "schemas"))
	}
}
