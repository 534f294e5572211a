package schema

import (
	"bytes"
	"fmt"
	"strings"

	jsonschema "github.com/santhosh-tekuri/jsonschema/v6"
	"sigs.k8s.io/yaml"
)

// embeddedLoader resolves schema URLs to the embedded documents, decoding
// each on first request only. Anything else fails: validation never reads
// files or the network.
type embeddedLoader map[string][]byte

func (l embeddedLoader) Load(url string) (any, error) {
	raw, ok := l[url]
	if !ok {
		return nil, fmt.Errorf("schema %s is not embedded (no remote or file schemas are used)", url)
	}
	return jsonschema.UnmarshalJSON(bytes.NewReader(raw))
}

// cutKey splits a kinds key "apiVersion Kind".
func cutKey(key string) (apiVersion, kind string, ok bool) {
	return strings.Cut(key, " ")
}

// crdName reads metadata.name of a CRD document for error messages.
func crdName(doc []byte) string {
	var m struct {
		Metadata struct {
			Name string `json:"name"`
		} `json:"metadata"`
	}
	if err := yaml.Unmarshal(doc, &m); err != nil {
		return ""
	}
	return m.Metadata.Name
}

// jsonTypeName names the JSON type of a decoded value.
func jsonTypeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	default:
		return "number"
	}
}

func joinComma(list []string) string { return strings.Join(list, ", ") }
