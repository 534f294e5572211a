package rules

import (
	"path"
	"strings"
)

// Env is what a check sees besides the object: its parameters and the
// cross-object index.
type Env struct {
	Params Params
	Index  *Index
}

// Params are a rule's policy parameters, already type-checked.
type Params map[string]any

// Strings returns a string-list parameter.
func (p Params) Strings(name string) []string {
	v, _ := p[name].([]string)
	return v
}

// Bool returns a boolean parameter, def when unset.
func (p Params) Bool(name string, def bool) bool {
	if v, ok := p[name].(bool); ok {
		return v
	}
	return def
}

// Index holds what checks need to know about the whole tree.
type Index struct {
	// secrets holds "namespace/name" and "/name" (for objects without a
	// namespace, which kustomize or kubectl -n place later).
	secrets map[string]bool
	// KindMounts are the extraMounts containerPaths of kind-config.yaml;
	// nil when no kind-config.yaml applies (the hostPath rule is silent).
	KindMounts []string
	// KindConfig is the file KindMounts came from, for messages.
	KindConfig string
	// hpas maps "namespace/deployment" to the largest maxReplicas of the
	// HorizontalPodAutoscalers scaling it.
	hpas map[string]int64
}

// NewIndex returns an empty index.
func NewIndex() *Index { return &Index{secrets: map[string]bool{}} }

// AddSecret records that a Secret named name will exist in namespace ns
// ("" when the manifest leaves the namespace to the deployer).
func (x *Index) AddSecret(ns, name string) {
	x.secrets[ns+"/"+name] = true
}

// HasSecret reports whether a secret reference from namespace ns resolves.
// A side without a namespace matches any namespace, since it is set at
// deploy time.
func (x *Index) HasSecret(ns, name string) bool {
	if x.secrets[ns+"/"+name] || x.secrets["/"+name] {
		return true
	}
	if ns == "" {
		for k := range x.secrets {
			if strings.HasSuffix(k, "/"+name) {
				return true
			}
		}
	}
	return false
}

// SecretProvider reports the namespace and name of the Secret an object
// makes exist: a Secret itself, a SealedSecret (the controller creates a
// Secret of the same name) or an ExternalSecret (spec.target.name, default
// the object's name).
func SecretProvider(apiVersion, kind string, obj map[string]any) (ns, name string, ok bool) {
	ns, _ = dig(obj, "metadata", "namespace").(string)
	name, _ = dig(obj, "metadata", "name").(string)
	group := apiVersion
	if i := strings.IndexByte(group, '/'); i >= 0 {
		group = group[:i]
	}
	switch {
	case kind == "Secret" && apiVersion == "v1":
	case kind == "SealedSecret" && group == "bitnami.com":
		if n, _ := dig(obj, "spec", "template", "metadata", "name").(string); n != "" {
			name = n
		}
	case kind == "ExternalSecret":
		if n, _ := dig(obj, "spec", "target", "name").(string); n != "" {
			name = n
		}
	default:
		return "", "", false
	}
	return ns, name, name != ""
}

// IsMountedByKind reports whether p is at or under a kind extraMounts
// containerPath.
func (x *Index) IsMountedByKind(p string) bool {
	p = path.Clean(p)
	for _, m := range x.KindMounts {
		m = path.Clean(m)
		if p == m || m == "/" || strings.HasPrefix(p, m+"/") {
			return true
		}
	}
	return false
}

// dig walks nested maps; it returns nil when any step is missing or has the
// wrong type, so checks never panic on malformed input.
func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}
