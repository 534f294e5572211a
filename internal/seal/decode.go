package seal

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	ssv1 "github.com/bitnami/sealed-secrets/pkg/apis/sealedsecrets/v1alpha1"
	corev1 "k8s.io/api/core/v1"
	sigsjson "sigs.k8s.io/json"

	"github.com/emmdev/emmdev/internal/lint/loader"
)

// Manifests are read with lint's loader, the one YAML reader emmdev has:
// what `emmdev lint` and `emmdev up` read, seal reads the same way (a kind:
// List is expanded into its items). On top of it, seal checks the Secret
// fields the API server will refuse and decodes strictly, and keeps every
// message free of values: errors name files, lines, fields and keys only.

// Doc is one object read from a manifest, with where its fields are.
type Doc struct {
	File string
	Line int // the line of the object's first key
	obj  *loader.Object
}

// Where is file:line of the field at path, or of the object when the path
// is not in the file (a field set from a flag, a default).
func (d Doc) Where(path ...string) string {
	line := d.Line
	if d.obj != nil {
		line, _ = d.obj.Pos(path...)
	}
	return d.File + ":" + strconv.Itoa(line)
}

// SecretDoc is a Secret read from a manifest.
type SecretDoc struct {
	Doc
	Secret *corev1.Secret
}

// SealedDoc is a decoded SealedSecret with where it came from.
type SealedDoc struct {
	Doc
	Object *ssv1.SealedSecret
}

// DecodeSecretDocs reads every v1 Secret of a YAML/JSON stream.
func DecodeSecretDocs(file string, data []byte) ([]SecretDoc, error) {
	objs, err := load(file, data, "v1", "Secret")
	if err != nil {
		return nil, err
	}
	out := make([]SecretDoc, 0, len(objs))
	for _, o := range objs {
		d := Doc{File: file, Line: o.Line(), obj: o}
		if err := checkStrings(d, o, [][]string{{"data"}}, [][]string{{"stringData"}, {"metadata", "labels"}, {"metadata", "annotations"}}); err != nil {
			return nil, err
		}
		var s corev1.Secret
		if err := decodeStrict(d, o, &s); err != nil {
			return nil, err
		}
		out = append(out, SecretDoc{Doc: d, Secret: &s})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no Secret found", file)
	}
	return out, nil
}

// DecodeSecrets is DecodeSecretDocs without the positions.
func DecodeSecrets(file string, data []byte) ([]*corev1.Secret, error) {
	docs, err := DecodeSecretDocs(file, data)
	if err != nil {
		return nil, err
	}
	out := make([]*corev1.Secret, len(docs))
	for i, d := range docs {
		out[i] = d.Secret
	}
	return out, nil
}

// DecodeSealedSecrets reads every SealedSecret of a YAML/JSON stream.
func DecodeSealedSecrets(file string, data []byte) ([]SealedDoc, error) {
	objs, err := load(file, data, ssv1.SchemeGroupVersion.String(), "SealedSecret")
	if err != nil {
		return nil, err
	}
	out := make([]SealedDoc, 0, len(objs))
	for _, o := range objs {
		d := Doc{File: file, Line: o.Line(), obj: o}
		if err := checkStrings(d, o, nil, [][]string{
			{"spec", "encryptedData"}, {"spec", "template", "data"}, {"metadata", "labels"}, {"metadata", "annotations"},
			{"spec", "template", "metadata", "labels"}, {"spec", "template", "metadata", "annotations"},
		}); err != nil {
			return nil, err
		}
		var s ssv1.SealedSecret
		if err := decodeStrict(d, o, &s); err != nil {
			return nil, err
		}
		out = append(out, SealedDoc{Doc: d, Object: &s})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no SealedSecret found", file)
	}
	return out, nil
}

func load(file string, data []byte, wantAPI, wantKind string) ([]*loader.Object, error) {
	objs, err := loader.Parse(file, data, loader.Options{})
	if err != nil {
		return nil, valueFreeLoadError(err)
	}
	for _, o := range objs {
		if o.APIVersion != wantAPI || o.Kind != wantKind {
			return nil, fmt.Errorf("%s:%d: expected %s %s, found %s %s", file, o.Line(), wantAPI, wantKind,
				shown(o.APIVersion, apiVersionRE), shown(o.Kind, kindRE))
		}
	}
	return objs, nil
}

var (
	apiVersionRE = regexp.MustCompile(`^([a-z0-9.-]+/)?v[0-9]+((alpha|beta)[0-9]+)?$`)
	kindRE       = regexp.MustCompile(`^[A-Z][A-Za-z0-9]{0,62}$`)
)

// shown quotes an apiVersion or kind only when it has the shape of one: a
// value pasted where the apiVersion goes must not end up in the message.
func shown(v string, re *regexp.Regexp) string {
	if re.MatchString(v) {
		return strconv.Quote(v)
	}
	return "something that is not one"
}

// valueFreeLoadError keeps the loader's file:line and drops anything from
// the message that may be input: an alias name is whatever followed a `*`
// (a password can start with one), and YAML messages may quote scalars.
func valueFreeLoadError(err error) error {
	var le *loader.Error
	if !errors.As(err, &le) {
		return errors.New(scrub(err.Error()))
	}
	msg := le.Msg
	switch {
	case strings.HasPrefix(msg, "alias *"):
		msg = "an alias (*name) without its anchor (&name): quote values that start with *"
	case strings.HasPrefix(msg, "duplicate key "):
		// Key names are not secret and say what to fix.
	default:
		msg = scrub(msg)
	}
	loc := le.File
	if le.Line > 0 {
		loc += ":" + strconv.Itoa(le.Line)
	}
	return fmt.Errorf("%s: %s", loc, msg)
}

// checkStrings requires the string maps at stringPaths (and the base64
// maps at bytesPaths) to hold string values: a number, boolean, list or
// mapping where the API server wants a string is reported at its key's
// line, by type, never by value.
func checkStrings(d Doc, o *loader.Object, bytesPaths, stringPaths [][]string) error {
	check := func(path []string, isBytes bool) error {
		v, ok := lookup(o.Obj, path)
		if !ok || v == nil {
			return nil
		}
		m, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: %s must be a mapping of keys to strings, not a %s", d.Where(path...), strings.Join(path, "."), typeName(v))
		}
		for k, val := range m {
			kp := append(append([]string(nil), path...), k)
			where := fmt.Sprintf("%s: %s key %q", d.Where(kp...), strings.Join(path, "."), k)
			switch val := val.(type) {
			case nil:
			case string:
				if isBytes {
					if _, err := base64.StdEncoding.DecodeString(val); err != nil {
						return fmt.Errorf("%s: value is not valid base64 (use stringData for plain text)", where)
					}
				}
			case int64, float64, bool:
				return fmt.Errorf("%s: value must be a string, not a %s (quote it)", where, typeName(val))
			default:
				return fmt.Errorf("%s: value must be a string, not a %s", where, typeName(val))
			}
		}
		return nil
	}
	for _, p := range bytesPaths {
		if err := check(p, true); err != nil {
			return err
		}
	}
	for _, p := range stringPaths {
		if err := check(p, false); err != nil {
			return err
		}
	}
	return nil
}

func lookup(m map[string]any, path []string) (any, bool) {
	var cur any = m
	for _, p := range path {
		mm, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = mm[p]; !ok {
			return nil, false
		}
	}
	return cur, true
}

func typeName(v any) string {
	switch v.(type) {
	case map[string]any:
		return "mapping"
	case []any:
		return "list"
	case int64, float64:
		return "number"
	case bool:
		return "boolean"
	case string:
		return "string"
	}
	return "value"
}

// decodeStrict decodes o into v case-sensitively and strictly like the API
// server: a typo such as `stringdata:` is an error, not a Secret with
// nothing to seal.
func decodeStrict(d Doc, o *loader.Object, v any) error {
	js, err := json.Marshal(o.Obj)
	if err != nil {
		return fmt.Errorf("%s: %s", d.Where(), scrub(err.Error()))
	}
	strictErrs, err := sigsjson.UnmarshalStrict(js, v)
	if err != nil {
		return jsonError(d, err)
	}
	if len(strictErrs) > 0 {
		return jsonError(d, errors.Join(strictErrs...))
	}
	return nil
}
