package seal

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"

	ssv1 "github.com/bitnami/sealed-secrets/pkg/apis/sealedsecrets/v1alpha1"
	yaml3 "go.yaml.in/yaml/v3"
	corev1 "k8s.io/api/core/v1"
	sigsjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

// Format is the output encoding of sealed objects.
type Format string

// The output formats, named as kubeseal's --format values.
const (
	FormatYAML Format = "yaml"
	FormatJSON Format = "json"
)

// ParseFormat validates a --format value.
func ParseFormat(s string) (Format, error) {
	switch f := Format(strings.ToLower(s)); f {
	case FormatYAML, FormatJSON:
		return f, nil
	}
	return "", fmt.Errorf("invalid format %q: must be yaml or json", s)
}

// Encode renders objects as a YAML stream (documents separated by ---) or as
// JSON (one pretty object per document). Map keys come out sorted, so
// re-sealing produces stable diffs apart from the ciphertexts.
func Encode(objs []*ssv1.SealedSecret, f Format) ([]byte, error) {
	var b bytes.Buffer
	for i, o := range objs {
		var (
			data []byte
			err  error
		)
		if f == FormatJSON {
			data, err = json.MarshalIndent(o, "", "  ")
			data = append(data, '\n')
		} else {
			if i > 0 {
				b.WriteString("---\n")
			}
			data, err = yaml.Marshal(o)
		}
		if err != nil {
			return nil, fmt.Errorf("encode SealedSecret: %w", err)
		}
		b.Write(data)
	}
	return b.Bytes(), nil
}

// DetectFormat guesses the format of an existing file (for --merge-into).
func DetectFormat(data []byte) Format {
	if t := bytes.TrimSpace(data); len(t) > 0 && t[0] == '{' {
		return FormatJSON
	}
	return FormatYAML
}

// Document is one YAML document of a stream with the line it starts on.
type Document struct {
	Line int
	Body []byte
}

// SplitDocuments cuts a YAML (or JSON) stream at `---` lines, remembering
// where each document starts so errors can point at file:line. Documents
// holding only comments and blank lines are dropped.
func SplitDocuments(data []byte) []Document {
	var docs []Document
	lines := strings.SplitAfter(string(data), "\n")
	start, cur := 1, strings.Builder{}
	flush := func() {
		if hasContent(cur.String()) {
			docs = append(docs, Document{Line: start, Body: []byte(cur.String())})
		}
		cur.Reset()
	}
	for i, l := range lines {
		if t := strings.TrimRight(l, " \t\r\n"); t == "---" || strings.HasPrefix(t, "--- ") || strings.HasPrefix(t, "---\t") {
			flush()
			start = i + 2
			continue
		}
		if cur.Len() == 0 {
			start = i + 1
		}
		cur.WriteString(l)
	}
	flush()
	return docs
}

func hasContent(s string) bool {
	for _, l := range strings.Split(s, "\n") {
		if t := strings.TrimSpace(l); t != "" && !strings.HasPrefix(t, "#") {
			return true
		}
	}
	return false
}

var yamlLine = regexp.MustCompile(`line (\d+): `)

type typeMeta struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
}

func decodeDoc(file string, d Document, wantAPI, wantKind string, into any) error {
	// Parse to a node tree first: it has every key's line, so the checks
	// and the errors of the decode below can point at the offending key.
	var root yaml3.Node
	if err := yaml3.Unmarshal(d.Body, &root); err != nil {
		return docError(file, d, err)
	}
	var bytesMaps map[string]bool
	if wantKind == "Secret" && topScalar(&root, "kind") == "Secret" {
		bytesMaps = secretBytesMaps
	}
	if err := checkTree(file, d, &root, bytesMaps); err != nil {
		return err
	}
	if k := rootKind(&root); k != "" {
		return fmt.Errorf("%s:%d: expected %s %s, found %s", file, d.Line, wantAPI, wantKind, k)
	}
	var tm typeMeta
	if err := yaml.Unmarshal(d.Body, &tm); err != nil {
		return docError(file, d, err)
	}
	if tm.APIVersion != wantAPI || tm.Kind != wantKind {
		return fmt.Errorf("%s:%d: expected %s %s, found %q %q", file, d.Line, wantAPI, wantKind, tm.APIVersion, tm.Kind)
	}
	js, err := yaml.YAMLToJSONStrict(d.Body) // strict: duplicate keys are errors
	if err != nil {
		return docError(file, d, err)
	}
	// Case-sensitive and strict like the API server: a typo such as
	// `stringdata:` must be an error, not a Secret with nothing to seal.
	strictErrs, err := sigsjson.UnmarshalStrict(js, into)
	if err != nil {
		return jsonError(file, d, &root, err)
	}
	if len(strictErrs) > 0 {
		return jsonError(file, d, &root, errors.Join(strictErrs...))
	}
	return nil
}

// DecodeSecrets reads every v1 Secret of a YAML/JSON stream.
func DecodeSecrets(file string, data []byte) ([]*corev1.Secret, error) {
	var out []*corev1.Secret
	for _, d := range SplitDocuments(data) {
		var s corev1.Secret
		if err := decodeDoc(file, d, "v1", "Secret", &s); err != nil {
			return nil, err
		}
		out = append(out, &s)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no Secret found", file)
	}
	return out, nil
}

// SealedDoc is a decoded SealedSecret with where it came from.
type SealedDoc struct {
	File   string
	Line   int
	Object *ssv1.SealedSecret
}

// DecodeSealedSecrets reads every SealedSecret of a YAML/JSON stream.
func DecodeSealedSecrets(file string, data []byte) ([]SealedDoc, error) {
	var out []SealedDoc
	for _, d := range SplitDocuments(data) {
		var s ssv1.SealedSecret
		if err := decodeDoc(file, d, ssv1.SchemeGroupVersion.String(), "SealedSecret", &s); err != nil {
			return nil, err
		}
		out = append(out, SealedDoc{File: file, Line: d.Line, Object: &s})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no SealedSecret found", file)
	}
	return out, nil
}
