// Package rules holds the emmdev lint policy checks: their metadata (in the
// embedded meta.yaml), their logic (one Go file per rule) and the explicit
// registry binding the two.
package rules

import (
	_ "embed"
	"fmt"
	"slices"

	yaml "go.yaml.in/yaml/v3"

	"github.com/emmdev/emmdev/internal/lint/finding"
	"github.com/emmdev/emmdev/internal/lint/loader"
)

//go:embed meta.yaml
var metaYAML []byte

// Meta describes a rule to users; it comes from meta.yaml.
type Meta struct {
	ID          string           `yaml:"id" json:"id"`
	Severity    finding.Severity `yaml:"severity" json:"severity"`
	Enabled     *bool            `yaml:"enabled" json:"-"`
	Description string           `yaml:"description" json:"description"`
	Remediation string           `yaml:"remediation" json:"remediation"`
}

// EnabledByDefault reports whether the rule runs without a policy saying so.
func (m Meta) EnabledByDefault() bool { return m.Enabled == nil || *m.Enabled }

// ParamKind is the type a policy parameter must have.
type ParamKind int

// Parameter kinds a policy may set.
const (
	StringList ParamKind = iota + 1
	Bool
)

// Emit reports a finding on the field at path of the object being checked.
type Emit func(path []string, msg string)

// CheckFunc inspects one object. It must not modify the object.
type CheckFunc func(env *Env, o *loader.Object, emit Emit)

// Rule is metadata plus logic. Engine-level rules (schema, unknown-kind,
// suppression-reason) have no Check.
type Rule struct {
	Meta
	Params map[string]ParamKind
	Check  CheckFunc
}

// Registry is the ordered set of known rules.
type Registry struct {
	rules []*Rule
	byID  map[string]*Rule
}

// Register adds a rule; a duplicate ID is an error.
func (r *Registry) Register(rule *Rule) error {
	if rule.ID == "" {
		return fmt.Errorf("rule without an ID")
	}
	if r.byID == nil {
		r.byID = map[string]*Rule{}
	}
	if _, dup := r.byID[rule.ID]; dup {
		return fmt.Errorf("rule %q registered twice", rule.ID)
	}
	r.byID[rule.ID] = rule
	r.rules = append(r.rules, rule)
	return nil
}

// Get returns a rule by ID.
func (r *Registry) Get(id string) (*Rule, bool) {
	rule, ok := r.byID[id]
	return rule, ok
}

// All returns the rules in registration (meta.yaml) order.
func (r *Registry) All() []*Rule { return slices.Clone(r.rules) }

// logic binds rule IDs to their implementation; nil for engine-level rules.
type logic struct {
	check  CheckFunc
	params map[string]ParamKind
}

func builtinLogic() map[string]logic {
	return map[string]logic{
		"parse":                   {},
		"schema":                  {params: map[string]ParamKind{}},
		"api-validation":          {},
		"unknown-kind":            {params: map[string]ParamKind{"skipKinds": StringList}},
		"suppression-reason":      {},
		"crd":                     {},
		"readiness-probe":         {check: probeCheck("readinessProbe")},
		"liveness-probe":          {check: probeCheck("livenessProbe")},
		"startup-probe":           {check: probeCheck("startupProbe")},
		"resources":               {check: checkResources, params: map[string]ParamKind{"required": ResourceList, "initContainers": Bool}},
		"stateful-without-pvc":    {check: checkStateful, params: map[string]ParamKind{"images": GlobList, "dataPaths": StringList}},
		"plaintext-secret":        {check: checkPlaintextSecret},
		"rolling-update-downtime": {check: checkRollingUpdate},
		"image-latest":            {check: checkImageLatest},
		"hostpath-not-mounted":    {check: checkHostPath},
		"secret-ref-missing":      {check: checkSecretRefs},
	}
}

// Default builds the registry of built-in rules from meta.yaml. It fails if
// metadata and logic disagree, which a unit test catches before release.
func Default() (*Registry, error) {
	return build(metaYAML, builtinLogic())
}

func build(meta []byte, impl map[string]logic) (*Registry, error) {
	var metas []Meta
	if err := yaml.Unmarshal(meta, &metas); err != nil {
		return nil, fmt.Errorf("rule metadata: %w", err)
	}
	reg := &Registry{}
	used := map[string]bool{}
	for _, m := range metas {
		l, ok := impl[m.ID]
		if !ok {
			return nil, fmt.Errorf("rule %q has metadata but no logic", m.ID)
		}
		if m.Severity == 0 || m.Description == "" || m.Remediation == "" {
			return nil, fmt.Errorf("rule %q: severity, description and remediation are required", m.ID)
		}
		if err := reg.Register(&Rule{Meta: m, Params: l.params, Check: l.check}); err != nil {
			return nil, err
		}
		used[m.ID] = true
	}
	for id := range impl {
		if !used[id] {
			return nil, fmt.Errorf("rule %q has logic but no metadata", id)
		}
	}
	return reg, nil
}
