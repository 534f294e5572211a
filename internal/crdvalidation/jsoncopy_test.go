package crdvalidation

import (
	"encoding/json"
	"math"
	"reflect"
	"testing"

	utiljson "k8s.io/apimachinery/pkg/util/json"
)

// jsonCopy must give exactly what the JSON round trip gives.
func TestJSONCopyMatchesRoundTrip(t *testing.T) {
	t.Parallel()
	in := map[string]any{
		"s": "x", "b": true, "n": nil, "i": int64(-3), "big": int64(math.MaxInt64),
		"f": 1.5, "fi": 2.0, "neg": -4.0, "huge": 1e19, "tiny": 1e-7, "exp": 1e300,
		"list": []any{int64(1), 2.0, "a", map[string]any{"k": []any{}}},
		"m":    map[string]any{},
	}
	data, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var want map[string]any
	if err := utiljson.Unmarshal(data, &want); err != nil {
		t.Fatal(err)
	}
	got, ok := jsonCopy(in)
	if !ok || !reflect.DeepEqual(got, want) {
		t.Errorf("jsonCopy = %#v (%v)\nround trip = %#v", got, ok, want)
	}
	for _, bad := range []any{math.NaN(), math.Inf(1), 3, int32(1), map[string]any{"x": []any{uint8(1)}}} {
		if _, ok := jsonCopy(bad); ok {
			t.Errorf("jsonCopy(%#v) ok, want the round trip to handle it", bad)
		}
	}
}
