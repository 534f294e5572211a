// Package lint is the engine behind `emmdev lint`: it loads manifests,
// builds the cross-object index, validates schemas and runs the policy rules
// over a worker pool, and returns sorted findings. Output formats live in
// internal/lint/report, the command in internal/cmd/lint.
package lint

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"

	"github.com/emmdev/emmdev/internal/apivalidation"
	"github.com/emmdev/emmdev/internal/celpolicy"
	"github.com/emmdev/emmdev/internal/lint/finding"
	"github.com/emmdev/emmdev/internal/lint/loader"
	"github.com/emmdev/emmdev/internal/lint/policy"
	"github.com/emmdev/emmdev/internal/lint/rules"
	"github.com/emmdev/emmdev/internal/parallel"
	"github.com/emmdev/emmdev/internal/schema"
)

// Validator is the part of *schema.Validator the engine uses.
type Validator interface {
	Validate(obj map[string]any) ([]schema.Issue, error)
}

// Config is one lint run.
type Config struct {
	// Inputs are linted.
	Inputs []loader.Input
	// ContextInputs only feed the cross-object index (Secrets defined
	// elsewhere in the tree, CRDs); their parse errors are ignored because
	// they are not what is being linted.
	ContextInputs []loader.Input
	Registry      *rules.Registry
	Policy        *policy.Policy
	// KindConfig is the kind-config.yaml to check hostPath volumes against
	// ("" = none; the hostPath rule is then silent).
	KindConfig string
	// SkipKinds adds to the unknown-kind rule's skipKinds parameter.
	SkipKinds []string
	// IgnoreMissingSchemas turns unknown kinds into silence.
	IgnoreMissingSchemas bool
	// KubernetesVersion selects the embedded schemas ("" = default).
	KubernetesVersion string
	// NewValidator builds the schema validator (nil = schema.New).
	NewValidator func(schema.Options) (Validator, error)
	// Native is the API server's validation of built-in kinds
	// (nil = apivalidation.New()).
	Native NativeValidator
	Loader loader.Options
	// Workers validates objects concurrently (0 = GOMAXPROCS).
	Workers int
	// CEL holds the custom rules of policies/*.yaml (nil = none); see cel.go.
	CEL *celpolicy.Set
}

// Result is what a run found.
type Result struct {
	Findings []finding.Finding
	Objects  int
	Files    int
	// Notes are one-line remarks about what was not checked (no kind config
	// for hostPath volumes, ...), for stderr.
	Notes []string
	// Notices say what could not be judged offline (CEL rules).
	Notices []string
}

// ErrNoObjects is returned when the inputs hold no Kubernetes object at all:
// linting nothing must not look like a pass.
var ErrNoObjects = errors.New("no Kubernetes objects found")

// Run lints cfg.Inputs.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if cfg.Registry == nil || cfg.Policy == nil {
		return nil, errors.New("lint: registry and policy are required")
	}
	native := cfg.Native
	if native == nil {
		native = apivalidation.New()
	}
	crds, err := newCRDChecks()
	if err != nil {
		return nil, err
	}
	// As many workers as the check phase has (the cores, by default): the
	// loader reads a file of manifests in a few milliseconds, so the
	// workers' first objects of each API group (whose scheme and decoder
	// set-up is most of a small run's validation) overlap each other
	// rather than the loader; measured, one worker fewer was 4% slower on
	// 80 and on 8,000 objects.
	pre := newPrevalidator(ctx, native, crds.set, celRulesRun(cfg), workers(cfg.Workers))
	defer pre.stop()
	lo := cfg.Loader
	lo.OnObject = pre.submit
	objs, loadErrs, err := loader.LoadAll(ctx, cfg.Inputs, lo)
	pre.loaded()
	if err != nil {
		return nil, err
	}
	parsed := parseFindings(cfg, loadErrs)
	if len(objs) == 0 && len(parsed) == 0 {
		names := make([]string, 0, len(cfg.Inputs))
		for _, in := range cfg.Inputs {
			names = append(names, in.Name)
		}
		if len(names) == 0 {
			return nil, fmt.Errorf("%w: no .yaml, .yml or .json files in the given paths", ErrNoObjects)
		}
		return nil, fmt.Errorf("%w in %s", ErrNoObjects, summarizeNames(names))
	}
	ctxObjs := contextObjects(ctx, cfg)
	idx := rules.NewIndex()
	for _, set := range [][]*loader.Object{objs, ctxObjs} {
		for _, o := range set {
			if ns, name, ok := rules.SecretProvider(o.APIVersion, o.Kind, o.Obj); ok {
				idx.AddSecret(ns, name)
			}
			if ns, name, max, ok := rules.HPATarget(o.APIVersion, o.Kind, o.Obj); ok {
				idx.AddHPA(ns, name, max)
			}
		}
	}
	if err := crds.addTree(objs, ctxObjs); err != nil {
		return nil, err
	}
	if cfg.KindConfig != "" {
		mounts, err := ReadKindMounts(cfg.KindConfig)
		if err != nil {
			return nil, err
		}
		idx.KindMounts, idx.KindConfig = mounts, cfg.KindConfig
	}
	newV := cfg.NewValidator
	if newV == nil {
		newV = func(o schema.Options) (Validator, error) { return schema.New(o) }
	}
	v, err := schemaValidator(newV, schema.Options{KubernetesVersion: cfg.KubernetesVersion})
	if err != nil {
		return nil, fmt.Errorf("loading schemas: %w", err)
	}
	e := newEngine(cfg, idx, v)
	e.native, e.pre = native, pre
	e.crds = crds
	e.cel = newCELChecks(ctx, cfg, objs, ctxObjs)
	findings, err := e.checkAll(ctx, objs)
	if err != nil {
		return nil, err
	}
	findings = append(findings, parsed...)
	finding.Sort(findings)
	files := map[string]bool{}
	for _, o := range objs {
		files[o.File] = true
	}
	for _, f := range parsed {
		files[f.File] = true
	}
	return &Result{Findings: findings, Objects: len(objs), Files: len(files), Notes: notes(cfg, objs), Notices: e.cel.notices()}, nil
}

// contextObjects loads the context inputs leniently: a broken file outside
// what is being linted must not block the commit that does not touch it.
func contextObjects(ctx context.Context, cfg Config) []*loader.Object {
	if len(cfg.ContextInputs) == 0 {
		return nil
	}
	objs, _, _ := loader.LoadAll(ctx, cfg.ContextInputs, cfg.Loader)
	return objs
}

func summarizeNames(names []string) string {
	if len(names) <= 3 {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more files", strings.Join(names[:3], ", "), len(names)-3)
}

func workers(n int) int {
	if n <= 0 {
		return runtime.GOMAXPROCS(0)
	}
	return n
}

// checkAll runs the engine over objects with a worker pool; each worker
// writes only its own slots, so no locking is needed on the results.
func (e *engine) checkAll(ctx context.Context, objs []*loader.Object) ([]finding.Finding, error) {
	per := make([][]finding.Finding, len(objs))
	err := parallel.ForEach(ctx, len(objs), workers(e.cfg.Workers), func(i int) error {
		var err error
		per[i], err = e.check(ctx, objs[i])
		return err
	})
	if err != nil {
		return nil, err
	}
	var out []finding.Finding
	for _, fs := range per {
		out = append(out, fs...)
	}
	return out, nil
}
