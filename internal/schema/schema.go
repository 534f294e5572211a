// Package schema validates Kubernetes objects against JSON schemas embedded
// in the binary, without any network access (and, by default, no file access).
//
// The schemas are generated (go generate, see gen/) from the OpenAPI spec of
// k8s.io/kubernetes and the SealedSecret CRD of sealed-secrets, in the
// strict flavour of kubeconform's schemas. They are stored once per OpenAPI
// definition and shared by all kinds; a kind's schema and the definitions it
// reaches are compiled on first use only, with the JSON-schema engine
// kubeconform uses (santhosh-tekuri/jsonschema, draft 4, the same formats).
//
// Why not kubeconform's pkg/validator itself: its validator.New only accepts
// schema locations as strings (HTTP URLs or file paths), builds its
// registries and loaders privately and compiles every kind from a fresh
// compiler. An embedded set cannot be plugged in, shared definitions would
// be recompiled per kind, and each object would be re-parsed from YAML
// bytes. The embedded set is exported in kubeconform's layout
// (ExportKubeconform) and the tests run kubeconform's validator on it as an
// oracle, so both tools agree on the same schemas. NewKubeconform offers
// kubeconform's pkg/validator itself as an opt-in engine on that export
// (emmdev lint --schema-engine kubeconform), still offline.
package schema

//go:generate go run ./gen -out schemas/kubernetes.json -crds schemas/crds

import (
	_ "embed"
	"errors"
	"fmt"
	"slices"
	"sync"

	jsonschema "github.com/santhosh-tekuri/jsonschema/v6"
)

// embeddedBundle is the generated schema set (see gen/).
//
//go:embed schemas/kubernetes.json
var embeddedBundle []byte

// ErrNoSchema is returned (wrapped) by Validate when no schema is known for
// the object's apiVersion/kind.
var ErrNoSchema = errors.New("no schema for kind")

// Issue is one schema violation. Path is the JSON path of the offending field
// as segments ("spec", "template", "spec", "containers", "0", "image"); an
// empty Path means the object itself. For a missing required field, Path is
// the object that lacks it and Message names the field.
type Issue struct {
	Path    []string
	Message string
}

// Options configure a Validator.
type Options struct {
	// KubernetesVersion selects the embedded schema set, e.g. "1.37.2" ("" = default).
	// Any patch release of the embedded minor version is accepted.
	KubernetesVersion string
}

// Validator validates decoded objects. It is safe for concurrent use.
type Validator struct {
	version string
	// kinds maps "apiVersion Kind" to a schema URL; read-only after New.
	kinds map[string]string
	// apiVersions lists the apiVersions known per kind, for error hints.
	apiVersions map[string][]string
	// docs holds the raw schema documents by URL; read-only after New.
	docs map[string][]byte

	mu       sync.RWMutex // guards compiler and compiled
	compiler *jsonschema.Compiler
	compiled map[string]*jsonschema.Schema // by kinds key
}

// schemaBase is the URL prefix of embedded documents. The scheme is ours, so
// no loader could ever resolve it over the network.
const schemaBase = "emmdev:///kubernetes/"

// DefaultKubernetesVersion is the version of the embedded schemas.
func DefaultKubernetesVersion() string {
	b, err := ParseBundle(embeddedBundle)
	if err != nil {
		return ""
	}
	return b.KubernetesVersion
}

// SupportsKubernetesVersion reports whether v (e.g. "1.37" or "v1.37.2")
// names the embedded version, and which version that is.
func SupportsKubernetesVersion(v string) (embedded string, ok bool) {
	embedded = DefaultKubernetesVersion()
	return embedded, versionMatches(v, embedded)
}

// New builds a Validator from the embedded schemas. It only indexes the
// schemas; compiling happens per kind on first use. Custom resources of
// CRDs in the linted tree are not its business: internal/crdvalidation
// validates them the way the API server does.
func New(opts Options) (*Validator, error) {
	b, err := ParseBundle(embeddedBundle)
	if err != nil {
		return nil, err
	}
	return newFromBundle(b, opts)
}

func newFromBundle(b *Bundle, opts Options) (*Validator, error) {
	if !versionMatches(opts.KubernetesVersion, b.KubernetesVersion) {
		return nil, fmt.Errorf("no embedded schemas for Kubernetes %s (embedded: %s)", opts.KubernetesVersion, b.KubernetesVersion)
	}
	base := schemaBase + b.KubernetesVersion + "/"
	v := &Validator{
		version:     b.KubernetesVersion,
		kinds:       make(map[string]string, len(b.Kinds)),
		apiVersions: map[string][]string{},
		docs:        make(map[string][]byte, len(b.Definitions)),
		compiled:    map[string]*jsonschema.Schema{},
	}
	for name, raw := range b.Definitions {
		v.docs[base+name] = raw
	}
	add := func(apiVersion, kind, def string) {
		key := kindKey(apiVersion, kind)
		if _, known := v.kinds[key]; !known {
			v.apiVersions[kind] = append(v.apiVersions[kind], apiVersion)
		}
		v.kinds[key] = base + def
	}
	for key, def := range b.Kinds {
		apiVersion, kind, _ := cutKey(key)
		add(apiVersion, kind, def)
	}
	for _, list := range v.apiVersions {
		slices.Sort(list)
	}

	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft4)
	for _, f := range formats() {
		c.RegisterFormat(f)
	}
	// The only loader serves embedded documents: no file, no network.
	c.UseLoader(embeddedLoader(v.docs))
	v.compiler = c
	return v, nil
}

// KubernetesVersion is the version of the schemas in use.
func (v *Validator) KubernetesVersion() string { return v.version }

// Validate checks one decoded object (as produced by sigs.k8s.io/yaml or
// encoding/json into map[string]any). It returns the violations, or an error
// wrapping ErrNoSchema when the kind is unknown, or another error when the
// validator itself failed. A missing or non-string apiVersion/kind is
// reported as an Issue.
func (v *Validator) Validate(obj map[string]any) ([]Issue, error) {
	apiVersion, kind, issues := typeOf(obj)
	if len(issues) > 0 {
		return issues, nil
	}
	sch, err := v.schemaFor(apiVersion, kind)
	if err != nil {
		return nil, err
	}
	err = sch.Validate(obj)
	if err == nil {
		return nil, nil
	}
	var ve *jsonschema.ValidationError
	if errors.As(err, &ve) {
		return issuesFrom(ve), nil
	}
	return nil, fmt.Errorf("validate %s %s: %w", apiVersion, kind, err)
}

// typeOf reads apiVersion and kind, reporting them as issues when unusable.
func typeOf(obj map[string]any) (apiVersion, kind string, issues []Issue) {
	for _, f := range []string{"apiVersion", "kind"} {
		val, present := obj[f]
		s, isString := val.(string)
		switch {
		case !present || val == nil:
			issues = append(issues, Issue{Message: fmt.Sprintf("missing required field %q", f)})
		case !isString:
			issues = append(issues, Issue{Path: []string{f}, Message: fmt.Sprintf("wrong type: got %s, want string", jsonTypeName(val))})
		case s == "":
			issues = append(issues, Issue{Path: []string{f}, Message: "must not be empty"})
		}
		if f == "apiVersion" {
			apiVersion = s
		} else {
			kind = s
		}
	}
	return apiVersion, kind, issues
}

// schemaFor returns the compiled schema of a kind, compiling it (and the
// definitions it reaches that are not compiled yet) on first use.
func (v *Validator) schemaFor(apiVersion, kind string) (*jsonschema.Schema, error) {
	key := kindKey(apiVersion, kind)
	v.mu.RLock()
	sch, ok := v.compiled[key]
	v.mu.RUnlock()
	if ok {
		return sch, nil
	}
	url, ok := v.kinds[key]
	if !ok {
		return nil, v.noSchema(apiVersion, kind)
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if sch, ok := v.compiled[key]; ok {
		return sch, nil
	}
	// The compiler keeps every definition it compiled, so kinds sharing
	// PodSpec or ObjectMeta compile them once.
	sch, err := v.compiler.Compile(url)
	if err != nil {
		return nil, fmt.Errorf("compile schema for %s %s: %w", apiVersion, kind, err)
	}
	v.compiled[key] = sch
	return sch, nil
}

func (v *Validator) noSchema(apiVersion, kind string) error {
	if known := v.apiVersions[kind]; len(known) > 0 {
		return fmt.Errorf("%w %s in apiVersion %s (Kubernetes %s knows it in: %s)",
			ErrNoSchema, kind, apiVersion, v.version, joinComma(known))
	}
	return fmt.Errorf("%w %s in apiVersion %s (not a Kubernetes %s kind; pass its CustomResourceDefinition)",
		ErrNoSchema, kind, apiVersion, v.version)
}
