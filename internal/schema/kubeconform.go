package schema

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/yannh/kubeconform/pkg/resource"
	"github.com/yannh/kubeconform/pkg/validator"
)

// KubeconformValidator validates through kubeconform's own pkg/validator
// (emmdev lint --schema-engine kubeconform), for teams that want kubeconform's
// exact verdicts. It reads the embedded schemas exported once, in
// kubeconform's layout, into a cache directory keyed by the bundle's hash, so
// it stays offline. Custom resources never reach it: the lint engine
// validates them from their CRDs (internal/crdvalidation) with either engine.
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
			out = append(out, kubeconformIssues(obj, pointerSegments(ve.Path), ve.Msg)...)
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

// kubeconformIssues turns one kubeconform error into issues. An unknown
// field is reported by kubeconform at the object holding it ("additional
// properties 'colour' not allowed" at /spec); it is moved to the field
// itself, one issue per field, so the finding lands on the field's line.
func kubeconformIssues(obj map[string]any, path []string, msg string) []Issue {
	names, ok := additionalProperties(msg)
	if !ok {
		return []Issue{{Path: path, Message: msg}}
	}
	parent, _ := lookup(obj, path).(map[string]any)
	var out []Issue
	for _, name := range names {
		if _, exists := parent[name]; !exists {
			return []Issue{{Path: path, Message: msg}} // not understood: keep it as is
		}
		out = append(out, Issue{
			Path:    append(slices.Clone(path), name),
			Message: fmt.Sprintf("additional properties %s not allowed", quoteProperty(name)),
		})
	}
	return out
}

// additionalProperties parses the message of jsonschema's
// kind.AdditionalProperties: "additional properties 'a', 'b' not allowed",
// each name quoted like Go's %q but in single quotes.
func additionalProperties(msg string) ([]string, bool) {
	list, ok := strings.CutPrefix(msg, "additional properties ")
	if !ok {
		return nil, false
	}
	if list, ok = strings.CutSuffix(list, " not allowed"); !ok {
		return nil, false
	}
	var names []string
	for list != "" {
		if list[0] != '\'' {
			return nil, false
		}
		end := 1
		for end < len(list) && list[end] != '\'' {
			if list[end] == '\\' {
				end++
			}
			end++
		}
		if end >= len(list) {
			return nil, false
		}
		inner := strings.ReplaceAll(list[1:end], `\'`, `'`)
		name, err := strconv.Unquote(`"` + strings.ReplaceAll(inner, `"`, `\"`) + `"`)
		if err != nil {
			return nil, false
		}
		names = append(names, name)
		list = strings.TrimPrefix(list[end+1:], ", ")
	}
	return names, len(names) > 0
}

// quoteProperty quotes a name as jsonschema does in its messages.
func quoteProperty(s string) string {
	s = strconv.Quote(s)
	s = strings.ReplaceAll(s, `\"`, `"`)
	s = strings.ReplaceAll(s, `'`, `\'`)
	return "'" + s[1:len(s)-1] + "'"
}

// lookup walks decoded JSON along path segments.
func lookup(v any, path []string) any {
	for _, seg := range path {
		switch c := v.(type) {
		case map[string]any:
			v = c[seg]
		case []any:
			i, err := strconv.Atoi(seg)
			if err != nil || i < 0 || i >= len(c) {
				return nil
			}
			v = c[i]
		default:
			return nil
		}
	}
	return v
}
