package schema

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/yannh/kubeconform/pkg/resource"
	"github.com/yannh/kubeconform/pkg/validator"
)

// KubeconformValidator validates through kubeconform's own pkg/validator
// (emmdev lint --schema-engine kubeconform), for teams that want kubeconform's
// exact verdicts. It reads the embedded schemas exported once, in
// kubeconform's layout, into a cache directory keyed by the bundle's hash, so
// it stays offline. Kinds from CRDs in the linted tree are validated by the
// embedded engine, since kubeconform only reads schema files.
type KubeconformValidator struct {
	kc     validator.Validator
	native *Validator
}

// NewKubeconform exports the embedded schemas under cacheDir (first use only;
// atomic, so concurrent runs are safe) and builds kubeconform's validator on
// them with strict checking.
func NewKubeconform(opts Options, cacheDir string) (*KubeconformValidator, error) {
	native, err := New(opts)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(embeddedBundle)
	dir := filepath.Join(cacheDir, "kubeconform-"+hex.EncodeToString(sum[:8]))
	loc := filepath.Join(dir, "{{.NormalizedKubernetesVersion}}-standalone{{.StrictSuffix}}/{{.ResourceKind}}{{.KindSuffix}}.json")
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		if err := os.MkdirAll(cacheDir, 0o755); err != nil {
			return nil, fmt.Errorf("schema cache: %w", err)
		}
		tmp, err := os.MkdirTemp(cacheDir, ".export-*")
		if err != nil {
			return nil, fmt.Errorf("schema cache: %w", err)
		}
		defer os.RemoveAll(tmp) // gone after the rename; cleans up on failure
		if _, err := ExportKubeconform(tmp, nil); err != nil {
			return nil, fmt.Errorf("exporting schemas for kubeconform: %w", err)
		}
		// Losing a race to another run is fine: its copy is identical.
		if err := os.Rename(tmp, dir); err != nil && !isExists(dir) {
			return nil, fmt.Errorf("schema cache: %w", err)
		}
	} else if err != nil {
		return nil, fmt.Errorf("schema cache: %w", err)
	}
	kc, err := validator.New([]string{loc}, validator.Opts{
		Strict:            true,
		KubernetesVersion: native.KubernetesVersion(),
	})
	if err != nil {
		return nil, fmt.Errorf("kubeconform validator: %w", err)
	}
	return &KubeconformValidator{kc: kc, native: native}, nil
}

func isExists(dir string) bool {
	fi, err := os.Stat(dir)
	return err == nil && fi.IsDir()
}

// Validate has the same contract as (*Validator).Validate.
func (k *KubeconformValidator) Validate(obj map[string]any) ([]Issue, error) {
	apiVersion, kind, issues := typeOf(obj)
	if len(issues) > 0 {
		return issues, nil
	}
	if k.native.fromCRD(apiVersion, kind) {
		return k.native.Validate(obj)
	}
	raw, err := json.Marshal(obj)
	if err != nil {
		return nil, fmt.Errorf("validate %s %s: %w", apiVersion, kind, err)
	}
	res := k.kc.ValidateResource(resource.Resource{Bytes: raw})
	switch res.Status {
	case validator.Valid:
		return nil, nil
	case validator.Invalid:
		out := make([]Issue, 0, len(res.ValidationErrors))
		for _, ve := range res.ValidationErrors {
			out = append(out, Issue{Path: pointerSegments(ve.Path), Message: ve.Msg})
		}
		if len(out) == 0 && res.Err != nil {
			out = append(out, Issue{Message: res.Err.Error()})
		}
		return out, nil
	default:
		if res.Err != nil && strings.Contains(res.Err.Error(), "could not find schema") {
			return nil, k.native.noSchema(apiVersion, kind)
		}
		return nil, fmt.Errorf("kubeconform: %s %s: %w", apiVersion, kind, res.Err)
	}
}

// pointerSegments splits a JSON pointer ("/spec/replicas") into segments,
// undoing the ~1 and ~0 escapes.
func pointerSegments(p string) []string {
	p = strings.TrimPrefix(p, "/")
	if p == "" {
		return nil
	}
	parts := strings.Split(p, "/")
	for i, s := range parts {
		parts[i] = strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
	}
	return parts
}

// fromCRD reports whether apiVersion/kind was defined by a CRD passed in
// Options (those schemas exist only in memory).
func (v *Validator) fromCRD(apiVersion, kind string) bool {
	return strings.HasPrefix(v.kinds[kindKey(apiVersion, kind)], schemaBase+v.version+"/crd.")
}
