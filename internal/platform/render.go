// Package platform renders the EMM platform deployment kept in the
// repository (manifests/, the production overlay in deploy/overlays/) with
// kustomize, in-process, the way `kubectl kustomize` does. Its tests are the
// proof that manifests/, kind-config.yaml and the Tiltfile fit together.
package platform

import (
	"fmt"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// Object is one rendered Kubernetes object as decoded from YAML.
type Object = map[string]any

// RenderYAML renders the kustomization in dir (on the real disk) and returns
// the objects as one multi-document YAML stream, in resource order.
func RenderYAML(dir string) ([]byte, error) {
	rm, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		return nil, fmt.Errorf("kustomize %s: %w", dir, err)
	}
	out, err := rm.AsYaml()
	if err != nil {
		return nil, fmt.Errorf("kustomize %s: encode: %w", dir, err)
	}
	return out, nil
}

// Render renders the kustomization in dir and returns the objects decoded,
// in resource order.
func Render(dir string) ([]Object, error) {
	rm, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		return nil, fmt.Errorf("kustomize %s: %w", dir, err)
	}
	objs := make([]Object, 0, rm.Size())
	for _, r := range rm.Resources() {
		m, err := r.Map()
		if err != nil {
			return nil, fmt.Errorf("kustomize %s: %s %s: %w", dir, r.GetKind(), r.GetName(), err)
		}
		objs = append(objs, m)
	}
	return objs, nil
}
