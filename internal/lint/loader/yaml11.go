package loader

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	yaml "go.yaml.in/yaml/v3"
)

// kubectl does not read YAML as YAML 1.2: it converts every document to
// JSON with sigs.k8s.io/yaml, which decodes with go-yaml v2 (YAML 1.1
// scalars), stringifies non-string mapping keys, and then round-trips the
// JSON through an Unstructured object (integral numbers become int64). The
// parser here keeps yaml.v3 for its node positions, and this file resolves
// every scalar to exactly the value the API server receives. TestYAML11
// checks it against sigs.k8s.io/yaml itself.

// Short tags the resolution knows (yaml.v3 reports explicit tags short).
const (
	tagStr       = "!!str"
	tagBool      = "!!bool"
	tagInt       = "!!int"
	tagFloat     = "!!float"
	tagNull      = "!!null"
	tagTimestamp = "!!timestamp"
	tagBinary    = "!!binary"
	tagMerge     = "!!merge"
)

// yaml11Words are the plain scalars YAML 1.1 reads as something else than
// a string by their spelling alone.
var yaml11Words = map[string]any{
	"y": true, "Y": true, "yes": true, "Yes": true, "YES": true,
	"true": true, "True": true, "TRUE": true,
	"on": true, "On": true, "ON": true,
	"n": false, "N": false, "no": false, "No": false, "NO": false,
	"false": false, "False": false, "FALSE": false,
	"off": false, "Off": false, "OFF": false,
	"": nil, "~": nil, "null": nil, "Null": nil, "NULL": nil,
	".nan": math.NaN(), ".NaN": math.NaN(), ".NAN": math.NaN(),
	".inf": math.Inf(1), ".Inf": math.Inf(1), ".INF": math.Inf(1),
	"+.inf": math.Inf(1), "+.Inf": math.Inf(1), "+.INF": math.Inf(1),
	"-.inf": math.Inf(-1), "-.Inf": math.Inf(-1), "-.INF": math.Inf(-1),
}

// yaml11Float is the float syntax go-yaml v2 accepts besides Go's own.
var yaml11Float = regexp.MustCompile(`^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`)

// plainIsString reports, cheaply, that a plain scalar is a string for
// YAML 1.1 (it starts with a letter and is not one of the words).
func plainIsString(s string) bool {
	if s == "" {
		return false
	}
	switch c := s[0]; {
	case c == 'y' || c == 'Y' || c == 'n' || c == 'N' || c == 't' || c == 'T' || c == 'f' || c == 'F' || c == 'o' || c == 'O':
		return len(s) > 5 || !isWord(s)
	case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == '/':
		return true
	}
	return false
}

func isWord(s string) bool {
	_, ok := yaml11Words[s]
	return ok
}

// resolvePlain reads a plain (unquoted, untagged) scalar by YAML 1.1 rules.
// The result is string, bool, nil, int64, uint64 or float64 (before the
// JSON round trip), with the tag it resolved to.
func resolvePlain(s string) (any, string) {
	if plainIsString(s) {
		return s, tagStr
	}
	if v, ok := yaml11Words[s]; ok {
		switch v.(type) {
		case bool:
			return v, tagBool
		case nil:
			return nil, tagNull
		}
		return v, tagFloat
	}
	if s == "" {
		return nil, tagNull
	}
	switch c := s[0]; {
	case c == '.':
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return f, tagFloat
		}
	case c == '+' || c == '-' || (c >= '0' && c <= '9'):
		// A timestamp (2001-12-14) would be a string here anyway: kubectl
		// decodes into interface{}, where go-yaml v2 keeps timestamps as text.
		plain := strings.ReplaceAll(s, "_", "")
		if i, err := strconv.ParseInt(plain, 0, 64); err == nil {
			return i, tagInt
		}
		if u, err := strconv.ParseUint(plain, 0, 64); err == nil {
			return u, tagInt
		}
		if floatChars(plain) && yaml11Float.MatchString(plain) {
			if f, err := strconv.ParseFloat(plain, 64); err == nil {
				return f, tagFloat
			}
		}
		if rest, ok := strings.CutPrefix(plain, "0b"); ok {
			if i, err := strconv.ParseInt(rest, 2, 64); err == nil {
				return i, tagInt
			}
			if u, err := strconv.ParseUint(rest, 2, 64); err == nil {
				return u, tagInt
			}
		} else if rest, ok := strings.CutPrefix(plain, "-0b"); ok {
			if i, err := strconv.ParseInt("-"+rest, 2, 64); err == nil {
				return i, tagInt
			}
		}
	}
	return s, tagStr
}

// isPlain reports whether yaml.v3 saw n without quotes, block style or an
// explicit tag: only such scalars are resolved by their spelling.
func isPlain(n *yaml.Node) bool {
	return n.Style&(yaml.TaggedStyle|yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) == 0
}

// resolve11 returns the go-yaml v2 value of a scalar node, honouring an
// explicit tag the way v2 does (a value that does not fit its tag is an
// error, as it is for kubectl).
func resolve11(n *yaml.Node) (any, error) {
	if isPlain(n) {
		v, _ := resolvePlain(n.Value)
		return v, nil
	}
	if n.Style&yaml.TaggedStyle == 0 {
		return n.Value, nil // quoted or block scalar: always a string
	}
	switch tag := n.Tag; tag {
	case tagStr:
		return n.Value, nil
	case tagTimestamp:
		// Kept as its text, as for a plain timestamp (see resolvePlain).
		if isTimestamp(n.Value) {
			return n.Value, nil
		}
		_, got := resolvePlain(n.Value)
		return nil, fmt.Errorf("cannot decode %s `%s` as a %s", got, n.Value, tag)
	case tagBinary:
		b, err := base64.StdEncoding.DecodeString(n.Value)
		if err != nil {
			return nil, fmt.Errorf("!!binary value contains invalid base64 data")
		}
		return string(b), nil
	case tagBool, tagInt, tagFloat, tagNull:
		v, got := resolvePlain(n.Value)
		if got == tag {
			return v, nil
		}
		if tag == tagFloat && got == tagInt {
			switch i := v.(type) {
			case int64:
				return float64(i), nil
			case uint64:
				// go-yaml v2 converts only int results; a uint64 fails.
			}
		}
		return nil, fmt.Errorf("cannot decode %s `%s` as a %s", got, n.Value, tag)
	}
	// Any other tag (!!merge on a value, !!map on a scalar, custom !tags):
	// go-yaml v2 does not resolve it and keeps the text.
	return n.Value, nil
}

// floatChars is a cheap first test for yaml11Float: quantities such as
// 100m or 128Mi, common in manifests, fail it without running the regexp.
func floatChars(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9', c == '.', c == '+', c == '-', c == 'e', c == 'E':
		default:
			return false
		}
	}
	return true
}

// isTimestamp matches the timestamp layouts go-yaml v2 accepts.
func isTimestamp(s string) bool {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i != 4 || i == len(s) || s[i] != '-' {
		return false
	}
	for _, layout := range []string{"2006-1-2T15:4:5.999999999Z07:00", "2006-1-2t15:4:5.999999999Z07:00", "2006-1-2 15:4:5.999999999", "2006-1-2"} {
		if _, err := time.Parse(layout, s); err == nil {
			return true
		}
	}
	return false
}

// jsonValue turns a go-yaml v2 scalar into what the API server receives
// after kubectl's JSON round trip: integral numbers become int64, others
// float64. NaN and infinities cannot be written as JSON, so kubectl fails on
// the whole file; that is an error here too.
func jsonValue(v any) (any, error) {
	switch x := v.(type) {
	case uint64:
		return float64(x), nil // does not fit int64: Unstructured keeps a float
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, errNotJSON
		}
		b, err := json.Marshal(x)
		if err != nil {
			return nil, errNotJSON
		}
		if i, err := strconv.ParseInt(string(b), 10, 64); err == nil {
			return i, nil
		}
		return x, nil
	}
	return v, nil
}

var errNotJSON = fmt.Errorf("not representable in JSON")

// keyString is the JSON key kubectl makes of a mapping key.
func keyString(v any) (string, bool) {
	switch k := v.(type) {
	case string:
		return k, true
	case int64:
		return strconv.FormatInt(k, 10), true
	case float64:
		// sigs.k8s.io/yaml formats float keys as float32, like go-yaml.
		switch s := strconv.FormatFloat(k, 'g', -1, 32); s {
		case "+Inf":
			return ".inf", true
		case "-Inf":
			return "-.inf", true
		case "NaN":
			return ".nan", true
		default:
			return s, true
		}
	case bool:
		return strconv.FormatBool(k), true
	}
	return "", false // null and uint64 keys: kubectl fails with "unsupported map key"
}

// describe words a non-string value the way a user reads it.
func describe(v any) string {
	switch x := v.(type) {
	case bool:
		return "boolean " + strconv.FormatBool(x)
	case nil:
		return "null"
	case int64:
		return "number " + strconv.FormatInt(x, 10)
	case float64:
		return "number " + strconv.FormatFloat(x, 'g', -1, 64)
	}
	return fmt.Sprintf("%T %v", v, v)
}
