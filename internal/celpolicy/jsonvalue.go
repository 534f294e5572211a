package celpolicy

import (
	"encoding/json"

	sjson "sigs.k8s.io/json"
)

// jsonCopy deep-copies v into the value types kube-apiserver decodes JSON
// into (int64 for integers, float64 otherwise), whatever Go types v uses.
func jsonCopy(v map[string]any) map[string]any {
	if v == nil {
		return nil
	}
	data, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	var out map[string]any
	if err := sjson.UnmarshalCaseSensitivePreserveInts(data, &out); err != nil {
		return nil
	}
	return out
}
