package lint

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/runtime"

	"github.com/emmdev/emmdev/internal/lint/finding"
	"github.com/emmdev/emmdev/internal/lint/loader"
	"github.com/emmdev/emmdev/internal/lint/policy"
	"github.com/emmdev/emmdev/internal/lint/rules"
	"github.com/emmdev/emmdev/internal/schema"
)

// SuppressPrefix starts a per-object suppression annotation; the rule ID
// follows and the value is the reason.
const SuppressPrefix = "emmdev.dev/ignore-"

type activeRule struct {
	rule *rules.Rule
	cfg  policy.RuleConfig
	env  *rules.Env
}

// engine is immutable once built, so workers share it freely.
type engine struct {
	cfg       Config
	validator Validator
	native    NativeValidator
	checks    []activeRule
	builtins  map[string]activeRule // schema, unknown-kind, suppression-reason, api-validation, crd
	skipKinds []string
	crds      *crdChecks // CRDs and custom resources (crds.go)
	cel       *celChecks // custom CEL rules, nil when there are none
	pre       *prevalidator
}

func newEngine(cfg Config, idx *rules.Index, v Validator) *engine {
	e := &engine{cfg: cfg, validator: v, builtins: map[string]activeRule{}}
	for _, r := range cfg.Registry.All() {
		rc := cfg.Policy.Rules[r.ID]
		ar := activeRule{rule: r, cfg: rc, env: &rules.Env{Params: rc.Params, Index: idx}}
		if r.Check == nil {
			e.builtins[r.ID] = ar
			continue
		}
		if rc.Enabled {
			e.checks = append(e.checks, ar)
		}
	}
	e.skipKinds = append(slices.Clone(e.builtins["unknown-kind"].cfg.Params.Strings("skipKinds")), cfg.SkipKinds...)
	return e
}

func (e *engine) newFinding(ar activeRule, o *loader.Object, path []string, msg string) finding.Finding {
	line, col := o.Pos(path...)
	return finding.Finding{
		File: o.File, Line: line, Col: col,
		RuleID: ar.rule.ID, Severity: ar.cfg.Severity,
		Object: o.Ref(), Path: path, Message: msg, Remediation: ar.rule.Remediation,
	}
}

func (e *engine) check(ctx context.Context, o *loader.Object) ([]finding.Finding, error) {
	if isEmmdevPolicy(o) {
		return nil, nil // checked when loaded; see notes()
	}
	var out []finding.Finding
	emit := func(f finding.Finding) { out = append(out, f) }
	add := func(ar activeRule, path []string, msg string) {
		emit(e.newFinding(ar, o, path, msg))
	}
	// The custom CEL rules see the object as the API server decodes it;
	// when the API server's validation decodes it anyway, they take that.
	var decoded *runtime.Object
	if e.cel != nil {
		decoded = new(runtime.Object)
	}
	if err := e.checkSchema(ctx, o, add, emit, decoded); err != nil {
		return nil, err
	}
	for _, ar := range e.checks {
		ar.rule.Check(ar.env, o, func(path []string, msg string) { add(ar, path, msg) })
	}
	if decoded != nil {
		out = append(out, e.cel.check(o, *decoded)...)
	}
	return redactSecretValues(o, e.suppress(o, out)), nil
}

// redactSecretValues is defence in depth: whatever produced a message (a
// schema error quoting a value, a future rule), no value of a Secret's data
// or stringData may reach the output.
func redactSecretValues(o *loader.Object, fs []finding.Finding) []finding.Finding {
	if o.Kind != "Secret" || len(fs) == 0 {
		return fs
	}
	var values []string
	for _, field := range []string{"data", "stringData"} {
		m, _ := o.Obj[field].(map[string]any)
		for _, v := range m {
			// Values under 3 characters would garble every message and
			// carry no secret worth the name.
			if s := fmt.Sprint(v); len(s) >= 3 && v != nil {
				values = append(values, s)
			}
		}
	}
	for i := range fs {
		for _, v := range values {
			fs[i].Message = strings.ReplaceAll(fs[i].Message, v, "<redacted>")
		}
	}
	return fs
}

func (e *engine) checkSchema(ctx context.Context, o *loader.Object, add func(activeRule, []string, string), emit func(finding.Finding), decoded *runtime.Object) error {
	if e.skipped(o) {
		return nil
	}
	if isCR, err := e.crds.check(ctx, e, o, emit); isCR || err != nil {
		return err
	}
	if e.native != nil && e.native.Handles(o.APIVersion, o.Kind) {
		return e.checkNative(ctx, o, emit, decoded)
	}
	issues, err := e.validator.Validate(o.Obj)
	if errors.Is(err, schema.ErrNoSchema) {
		if uk := e.builtins["unknown-kind"]; uk.cfg.Enabled && !e.cfg.IgnoreMissingSchemas {
			add(uk, []string{"kind"}, fmt.Sprintf("no schema for %s %s in Kubernetes %s or the CRDs in the linted paths, so it was not validated",
				o.APIVersion, o.Kind, orDefault(e.cfg.KubernetesVersion, "(embedded version)")))
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("%s:%d: validating %s: %w", o.File, o.Line(), o.Ref(), err)
	}
	sc := e.builtins["schema"]
	if !sc.cfg.Enabled {
		return nil
	}
	for _, is := range issues {
		add(sc, is.Path, fieldMessage(is.Path, is.Message))
	}
	return nil
}

// skipped matches skipKinds entries: "Kind", "group/Kind" or
// "group/version/Kind" ("v1/Kind" for the core group).
func (e *engine) skipped(o *loader.Object) bool {
	group, _, hasGroup := strings.Cut(o.APIVersion, "/")
	if !hasGroup {
		group = ""
	}
	for _, s := range e.skipKinds {
		if s == o.Kind || s == group+"/"+o.Kind || s == o.APIVersion+"/"+o.Kind {
			return true
		}
	}
	return false
}

// suppress drops findings an annotation suppresses with a reason, and turns
// reasonless or unknown suppressions into findings of their own.
func (e *engine) suppress(o *loader.Object, fs []finding.Finding) []finding.Finding {
	ann, _ := rulesDig(o.Obj, "metadata", "annotations").(map[string]any)
	if len(ann) == 0 {
		return fs
	}
	sr := e.builtins["suppression-reason"]
	honoured := map[string]bool{}
	var extra []finding.Finding
	for k, v := range ann {
		id, ok := strings.CutPrefix(k, SuppressPrefix)
		if !ok {
			continue
		}
		path := []string{"metadata", "annotations", k}
		reason, _ := v.(string)
		_, known := e.cfg.Registry.Get(id)
		switch {
		case !known || id == "suppression-reason":
			extra = append(extra, e.newFinding(sr, o, path, fmt.Sprintf("annotation %s names no known rule", k)))
		case strings.TrimSpace(reason) == "":
			extra = append(extra, e.newFinding(sr, o, path, fmt.Sprintf("annotation %s suppresses %s without a reason, so it is not honoured", k, id)))
		default:
			honoured[id] = true
		}
	}
	kept := fs[:0]
	for _, f := range fs {
		if !honoured[f.RuleID] {
			kept = append(kept, f)
		}
	}
	if sr.cfg.Enabled {
		kept = append(kept, extra...)
	}
	return kept
}

func rulesDig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
