// Package deploy puts the EMM platform onto a cluster: it reads manifests/
// (through kustomize when a kustomization.yaml is present), applies every
// object with server-side apply in dependency order, installs the
// sealed-secrets controller with the dev sealing key, and waits until every
// Deployment and StatefulSet is available, naming each pod that is not.
package deploy

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/emmdev/emmdev/internal/lint/loader"
)

// Object is one manifest with where it came from, for error messages.
type Object struct {
	*unstructured.Unstructured
	Source string // "manifests/10-vault.yaml:12" or "kustomize manifests/"
}

// ID is "Kind namespace/name" (or "Kind name" for cluster-scoped objects).
func (o Object) ID() string {
	if ns := o.GetNamespace(); ns != "" {
		return fmt.Sprintf("%s %s/%s", o.GetKind(), ns, o.GetName())
	}
	return fmt.Sprintf("%s %s", o.GetKind(), o.GetName())
}

// LoadDir reads the manifests in dir. With a kustomization.yaml it renders it
// with kustomize (what `kubectl apply -k` would apply); otherwise it reads
// every *.yaml / *.yml file in name order. The result is in apply order.
func LoadDir(dir string) ([]Object, error) {
	for _, k := range []string{"kustomization.yaml", "kustomization.yml", "Kustomization"} {
		if _, err := os.Stat(filepath.Join(dir, k)); err == nil {
			objs, err := loadKustomize(dir)
			if err != nil {
				return nil, err
			}
			return Sort(objs), nil
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("reading manifests: %w", err)
	}
	var objs []Object
	for _, e := range entries {
		ext := filepath.Ext(e.Name())
		if e.IsDir() || (ext != ".yaml" && ext != ".yml") {
			continue
		}
		path := filepath.Join(dir, e.Name())
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("reading manifests: %w", err)
		}
		more, err := Parse(path, data)
		if err != nil {
			return nil, err
		}
		objs = append(objs, more...)
	}
	if len(objs) == 0 {
		return nil, fmt.Errorf("%s: no manifests found", dir)
	}
	return Sort(objs), nil
}

func loadKustomize(dir string) ([]Object, error) {
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	resMap, err := k.Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		return nil, fmt.Errorf("kustomize %s: %w", dir, err)
	}
	out, err := resMap.AsYaml()
	if err != nil {
		return nil, fmt.Errorf("kustomize %s: %w", dir, err)
	}
	objs, err := Parse("kustomize "+dir, out)
	if err != nil {
		return nil, err
	}
	return objs, nil
}

// Parse reads a YAML or JSON stream into objects with lint's loader, the
// one splitter emmdev has: what `emmdev lint` accepts, `up` applies (a
// kind: List is expanded into its items, as kubectl does). Errors carry
// file:line.
func Parse(name string, data []byte) ([]Object, error) {
	loaded, err := loader.Parse(name, data, loader.Options{})
	if err != nil {
		return nil, err
	}
	objs := make([]Object, 0, len(loaded))
	for _, lo := range loaded {
		src := fmt.Sprintf("%s:%d", name, lo.Line())
		if lo.Name == "" {
			return nil, fmt.Errorf("%s: %s has no metadata.name", src, lo.Kind)
		}
		objs = append(objs, Object{Unstructured: &unstructured.Unstructured{Object: lo.Obj}, Source: src})
	}
	return objs, nil
}

// rank orders kinds so that whatever an object depends on exists first.
func rank(kind string) int {
	switch kind {
	case "Namespace":
		return 0
	case "CustomResourceDefinition":
		return 1
	case "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding":
		return 2
	case "ConfigMap", "Secret", "SealedSecret":
		return 3
	case "StorageClass", "PersistentVolume", "PersistentVolumeClaim":
		return 4
	case "StatefulSet":
		return 5
	case "Service":
		return 6
	case "Deployment", "DaemonSet", "Job", "CronJob":
		return 7
	default:
		return 8
	}
}

// Sort returns objs in dependency order, keeping file order within a kind.
func Sort(objs []Object) []Object {
	out := append([]Object(nil), objs...)
	sort.SliceStable(out, func(i, j int) bool { return rank(out[i].GetKind()) < rank(out[j].GetKind()) })
	return out
}
