// Package schema validates Kubernetes objects against JSON schemas embedded
// in the binary (generated from the Kubernetes OpenAPI spec), through
// kubeconform's validator, without any network access.
//
// STUB: the API below is the contract internal/lint relies on; the schema
// helper replaces the implementation.
package schema

import "errors"

// ErrNoSchema is returned (wrapped) by Validate when no schema is known for
// the object's apiVersion/kind.
var ErrNoSchema = errors.New("no schema for kind")

// Issue is one schema violation. Path is the JSON path of the offending field
// as segments ("spec", "template", "spec", "containers", "0", "image"); an
// empty Path means the object itself.
type Issue struct {
	Path    []string
	Message string
}

// Options configure a Validator.
type Options struct {
	// KubernetesVersion selects the embedded schema set, e.g. "1.37.2" ("" = default).
	KubernetesVersion string
	// CRDs are CustomResourceDefinition documents (YAML or JSON) found in the
	// linted tree; their openAPIV3Schema become schemas for their kinds.
	CRDs [][]byte
}

// Validator validates decoded objects. It is safe for concurrent use.
type Validator struct{}

// New builds a Validator.
func New(_ Options) (*Validator, error) { return &Validator{}, nil }

// Validate checks one decoded object (as produced by sigs.k8s.io/yaml or
// encoding/json into map[string]any). It returns the violations, or an error
// wrapping ErrNoSchema when the kind is unknown, or another error when the
// validator itself failed.
func (v *Validator) Validate(_ map[string]any) ([]Issue, error) { return nil, nil }
