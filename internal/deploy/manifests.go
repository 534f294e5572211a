// Package deploy puts the EMM platform onto a cluster: it reads manifests/
// (through kustomize when a kustomization.yaml is present), applies every
// object with server-side apply in dependency order, installs the
// sealed-secrets controller with the dev sealing key, and waits until every
// Deployment and StatefulSet is available, naming each pod that is not.
package deploy

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"
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

// Parse splits a multi-document YAML stream into objects. Errors carry
// file:line of the offending document.
func Parse(name string, data []byte) ([]Object, error) {
	var objs []Object
	for _, doc := range splitDocs(data) {
		if len(bytes.TrimSpace(stripComments(doc.text))) == 0 {
			continue
		}
		var m map[string]any
		if err := yaml.Unmarshal(doc.text, &m); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, doc.line, err)
		}
		if m == nil {
			continue
		}
		u := &unstructured.Unstructured{Object: m}
		if u.GetAPIVersion() == "" || u.GetKind() == "" {
			return nil, fmt.Errorf("%s:%d: document has no apiVersion or kind", name, doc.line)
		}
		if u.GetName() == "" {
			return nil, fmt.Errorf("%s:%d: %s has no metadata.name", name, doc.line, u.GetKind())
		}
		if strings.HasSuffix(u.GetKind(), "List") {
			return nil, fmt.Errorf("%s:%d: %s is not supported, list the items as separate documents", name, doc.line, u.GetKind())
		}
		objs = append(objs, Object{Unstructured: u, Source: fmt.Sprintf("%s:%d", name, doc.line)})
	}
	return objs, nil
}

type yamlDoc struct {
	text []byte
	line int // 1-based line of the document's first line
}

func splitDocs(data []byte) []yamlDoc {
	var docs []yamlDoc
	var cur bytes.Buffer
	start, n := 1, 0
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1024*1024), 16*1024*1024)
	for sc.Scan() {
		n++
		line := sc.Text()
		if strings.HasPrefix(line, "---") && strings.TrimSpace(strings.TrimPrefix(line, "---")) == "" {
			docs = append(docs, yamlDoc{text: append([]byte(nil), cur.Bytes()...), line: start})
			cur.Reset()
			start = n + 1
			continue
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
	}
	return append(docs, yamlDoc{text: cur.Bytes(), line: start})
}

func stripComments(b []byte) []byte {
	var out bytes.Buffer
	for _, l := range bytes.Split(b, []byte("\n")) {
		if t := bytes.TrimSpace(l); len(t) > 0 && t[0] != '#' {
			out.Write(l)
			out.WriteByte('\n')
		}
	}
	return out.Bytes()
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
