package apivalidation

import (
	"encoding/json"
	"math"
	"reflect"
	"testing"
)

// TestAppendJSONMatchesEncodingJSON: the decoder must see what
// encoding/json (and so kubectl) would have written, value for value.
func TestAppendJSONMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	values := []any{
		nil, true, false, "", "plain", "quote\" back\\slash", "ctl\x00\x01\x1f\n\r\t", "<>&", "\u2028\u2029",
		"bad utf8 \xff\xfe end", "ünïcødé ✓ 𝄞", int64(0), int64(-1), int64(math.MaxInt64), int64(math.MinInt64),
		0.0, math.Copysign(0, -1), 1.5, -2.25, 1e-6, 9.99e-7, 1e-7, 1.5e-300, 1e20, 1e21, 123456789.125, math.MaxFloat64, math.SmallestNonzeroFloat64,
		map[string]any{}, []any{}, map[string]any{"a": []any{int64(1), "x", map[string]any{"b": nil}}},
	}
	for _, v := range values {
		want, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		got, err := appendJSON(nil, v)
		if err != nil {
			t.Fatalf("%#v: %v", v, err)
		}
		// Map key order differs (encoding/json sorts); compare decoded.
		var gv, wv any
		if err := json.Unmarshal(got, &gv); err != nil {
			t.Fatalf("%#v: invalid JSON %s: %v", v, got, err)
		}
		_ = json.Unmarshal(want, &wv)
		if !reflect.DeepEqual(gv, wv) {
			t.Errorf("%#v: got %s, encoding/json %s", v, got, want)
		}
		if _, isMap := v.(map[string]any); !isMap && string(got) != string(want) {
			t.Errorf("%#v: got %s, encoding/json %s", v, got, want)
		}
	}
	for _, bad := range []any{math.NaN(), math.Inf(1), math.Inf(-1)} {
		if _, err := appendJSON(nil, bad); err == nil {
			t.Errorf("%v: want an error, as encoding/json gives", bad)
		}
	}
}

func FuzzAppendJSON(f *testing.F) {
	f.Add("x", int64(1), 1.5)
	f.Fuzz(func(t *testing.T, s string, i int64, fl float64) {
		v := map[string]any{s: []any{s, i, fl}}
		if math.IsNaN(fl) || math.IsInf(fl, 0) {
			return
		}
		got, err := appendJSON(nil, v)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := json.Marshal(v)
		var gv, wv any
		if err := json.Unmarshal(got, &gv); err != nil {
			t.Fatalf("invalid JSON %q: %v", got, err)
		}
		_ = json.Unmarshal(want, &wv)
		if !reflect.DeepEqual(gv, wv) {
			t.Fatalf("got %s, encoding/json %s", got, want)
		}
	})
}
