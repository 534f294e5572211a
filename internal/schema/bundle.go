package schema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Bundle is the embedded schema set: one shared definition per OpenAPI type
// (descriptions stripped, strict) plus an index from "apiVersion Kind" to
// the definition that validates it. Kinds share definitions (PodSpec,
// ObjectMeta...), so they are stored and compiled once, not inlined into a
// standalone file per kind the way kubeconform's schema repository does.
type Bundle struct {
	// KubernetesVersion is the version of the OpenAPI spec, e.g. "1.37.2".
	KubernetesVersion string `json:"kubernetesVersion"`
	// Sources says where the definitions came from.
	Sources []string `json:"sources"`
	// Kinds maps "apiVersion Kind" (e.g. "apps/v1 Deployment") to a definition name.
	Kinds map[string]string `json:"kinds"`
	// Definitions are draft-4 JSON schemas; "$ref" values are definition
	// names, resolved relative to the bundle.
	Definitions map[string]json.RawMessage `json:"definitions"`
}

// kindKey is the Kinds index key of an object type.
func kindKey(apiVersion, kind string) string { return apiVersion + " " + kind }

// BuildBundle converts a Kubernetes swagger.json (OpenAPI v2) and extra
// CustomResourceDefinition documents (YAML or JSON) into a Bundle.
func BuildBundle(k8sVersion string, swagger []byte, crds [][]byte, sources []string) (*Bundle, error) {
	var spec struct {
		Definitions map[string]map[string]any `json:"definitions"`
	}
	dec := json.NewDecoder(bytes.NewReader(swagger))
	dec.UseNumber() // keep numeric literals exactly as written
	if err := dec.Decode(&spec); err != nil {
		return nil, fmt.Errorf("parse OpenAPI spec: %w", err)
	}
	if len(spec.Definitions) == 0 {
		return nil, fmt.Errorf("parse OpenAPI spec: no definitions")
	}
	b := &Bundle{
		KubernetesVersion: k8sVersion,
		Sources:           sources,
		Kinds:             map[string]string{},
		Definitions:       map[string]json.RawMessage{},
	}
	for name, def := range spec.Definitions {
		conv := specialDefinition(name)
		if conv == nil {
			conv = normalize(def, "#/definitions/").(map[string]any)
		}
		raw, err := marshal(conv)
		if err != nil {
			return nil, fmt.Errorf("definition %s: %w", name, err)
		}
		b.Definitions[name] = raw
		gvks, _ := def["x-kubernetes-group-version-kind"].([]any)
		for _, g := range gvks {
			gm, _ := g.(map[string]any)
			group, _ := gm["group"].(string)
			version, _ := gm["version"].(string)
			kind, _ := gm["kind"].(string)
			if err := b.addKind(joinGroupVersion(group, version), kind, name); err != nil {
				return nil, err
			}
		}
	}
	if err := b.addCRDs(crds); err != nil {
		return nil, err
	}
	return b, nil
}

// addCRDs converts CustomResourceDefinition documents into definitions and
// kinds (for the kubeconform export; the lint engine validates custom
// resources from the CRDs themselves).
func (b *Bundle) addCRDs(crds [][]byte) error {
	for i, doc := range crds {
		kinds, err := convertCRD(doc, defObjectMeta)
		if err != nil {
			return &CRDError{Index: i, Name: crdName(doc), Err: err}
		}
		for _, k := range kinds {
			name := k.definitionName()
			b.Definitions[name] = k.schema
			if err := b.addKind(k.apiVersion, k.kind, name); err != nil {
				return err
			}
		}
	}
	return nil
}

func (b *Bundle) addKind(apiVersion, kind, def string) error {
	key := kindKey(apiVersion, kind)
	if prev, ok := b.Kinds[key]; ok && prev != def {
		return fmt.Errorf("%s is defined by both %s and %s", key, prev, def)
	}
	b.Kinds[key] = def
	return nil
}

func joinGroupVersion(group, version string) string {
	if group == "" {
		return version
	}
	return group + "/" + version
}

// Encode writes the bundle deterministically, one kind or definition per
// line, so regenerating it gives identical bytes and reviews show small diffs.
func (b *Bundle) Encode() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString("{\n")
	fmt.Fprintf(&buf, "\"kubernetesVersion\": %s,\n", jsonString(b.KubernetesVersion))
	buf.WriteString(`"sources": [`)
	for i, src := range b.Sources {
		if i > 0 {
			buf.WriteString(", ")
		}
		buf.Write(jsonString(src))
	}
	buf.WriteString("],\n")
	buf.WriteString(`"kinds": {` + "\n")
	writeSorted(&buf, b.Kinds, jsonString)
	buf.WriteString("},\n")
	buf.WriteString(`"definitions": {` + "\n")
	writeSorted(&buf, b.Definitions, func(v json.RawMessage) []byte { return v })
	buf.WriteString("}\n}\n")
	if !json.Valid(buf.Bytes()) {
		return nil, fmt.Errorf("encode bundle: produced invalid JSON")
	}
	return buf.Bytes(), nil
}

func writeSorted[V any](buf *bytes.Buffer, m map[string]V, enc func(V) []byte) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for i, k := range keys {
		buf.Write(jsonString(k))
		buf.WriteString(": ")
		buf.Write(enc(m[k]))
		if i < len(keys)-1 {
			buf.WriteByte(',')
		}
		buf.WriteByte('\n')
	}
}

// ParseBundle decodes an encoded bundle. Definitions stay raw: they are
// decoded one by one when a kind that uses them is first validated. The
// layout written by Encode (one entry per line) is indexed without a full
// JSON parse, which is most of the start-up cost otherwise; any other
// layout is parsed as plain JSON.
func ParseBundle(data []byte) (*Bundle, error) {
	b, ok := indexEncoded(data)
	if !ok {
		b = &Bundle{}
		if err := json.Unmarshal(data, b); err != nil {
			return nil, fmt.Errorf("parse schema bundle: %w", err)
		}
	}
	if b.KubernetesVersion == "" || len(b.Kinds) == 0 {
		return nil, fmt.Errorf("parse schema bundle: missing kubernetesVersion or kinds")
	}
	return b, nil
}

// indexEncoded reads the line layout of Encode; ok is false on anything else.
func indexEncoded(data []byte) (b *Bundle, ok bool) {
	b = &Bundle{Kinds: map[string]string{}, Definitions: map[string]json.RawMessage{}}
	section := ""
	for line := range bytes.SplitSeq(data, []byte("\n")) {
		switch string(line) {
		case "{", "}", "":
			continue
		case `"kinds": {`:
			section = "kinds"
			continue
		case `"definitions": {`:
			section = "definitions"
			continue
		case "},":
			section = ""
			continue
		}
		key, value, found := bytes.Cut(line, []byte(": "))
		if !found {
			return nil, false
		}
		name, ok := plainJSONString(key)
		if !ok {
			return nil, false
		}
		value = bytes.TrimSuffix(value, []byte(","))
		var err error
		switch section {
		case "kinds":
			def, ok := plainJSONString(value)
			if !ok {
				return nil, false
			}
			b.Kinds[name] = def
		case "definitions":
			// Checked when decoded by the loader; a bad one fails that kind's compile.
			b.Definitions[name] = json.RawMessage(value)
		default:
			switch name {
			case "kubernetesVersion":
				err = json.Unmarshal(value, &b.KubernetesVersion)
			case "sources":
				err = json.Unmarshal(value, &b.Sources)
			default:
				return nil, false
			}
		}
		if err != nil {
			return nil, false
		}
	}
	return b, true
}

// plainJSONString decodes a JSON string without escapes (all names in the
// bundle are); ok is false for anything else.
func plainJSONString(b []byte) (string, bool) {
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' || bytes.IndexByte(b, '\\') >= 0 {
		return "", false
	}
	s := b[1 : len(b)-1]
	if bytes.IndexByte(s, '"') >= 0 {
		return "", false
	}
	return string(s), true
}

// marshal encodes v compactly without HTML escaping (patterns contain < and >).
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// jsonString encodes a string as JSON; encoding a string cannot fail.
func jsonString(s string) []byte {
	b, _ := marshal(s)
	return b
}

// versionMatches reports whether a requested Kubernetes version ("", "1.37",
// "v1.37.2") is served by a bundle of version have ("1.37.2"). Patch releases
// never change the API, so major.minor is what matters.
func versionMatches(want, have string) bool {
	want = strings.TrimPrefix(want, "v")
	return want == "" || want == have || majorMinor(want) == majorMinor(have)
}

func majorMinor(v string) string {
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return v
	}
	return parts[0] + "." + parts[1]
}
