package schema

import (
	"embed"
	"io/fs"
	"path"
	"strings"
)

// embeddedCRDs are the CustomResourceDefinitions shipped with emmdev, as
// published by their projects (see gen/).
//
//go:embed schemas/crds/*.yaml
var embeddedCRDs embed.FS

// CRDDocument is one embedded CustomResourceDefinition.
type CRDDocument struct {
	Name string // e.g. "bitnami.com_sealedsecrets.yaml"
	Data []byte
}

// EmbeddedCRDs returns the CustomResourceDefinitions shipped with emmdev
// (the SealedSecret CRD), so their custom resources are validated the way
// the API server validates them.
func EmbeddedCRDs() ([]CRDDocument, error) {
	entries, err := fs.ReadDir(embeddedCRDs, "schemas/crds")
	if err != nil {
		return nil, err
	}
	out := make([]CRDDocument, 0, len(entries))
	for _, e := range entries {
		data, err := embeddedCRDs.ReadFile(path.Join("schemas/crds", e.Name()))
		if err != nil {
			return nil, err
		}
		out = append(out, CRDDocument{Name: e.Name(), Data: data})
	}
	return out, nil
}

// BuiltinGroups returns the API groups the API server serves itself ("" is
// the core group): those of the embedded Kubernetes OpenAPI kinds, not of
// the embedded CRDs. A CustomResourceDefinition cannot replace their kinds.
func BuiltinGroups() (map[string]bool, error) {
	b, err := ParseBundle(embeddedBundle)
	if err != nil {
		return nil, err
	}
	groups := map[string]bool{}
	for key, def := range b.Kinds {
		// Kubernetes' own definitions are named io.k8s.<module>...; CRD
		// kinds get reverse-DNS names of their group (com.bitnami...).
		if !strings.HasPrefix(def, "io.k8s.") {
			continue
		}
		apiVersion, _, _ := cutKey(key)
		group, _, found := strings.Cut(apiVersion, "/")
		if !found {
			group = ""
		}
		groups[group] = true
	}
	return groups, nil
}
