package seal

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	ssv1 "github.com/bitnami/sealed-secrets/pkg/apis/sealedsecrets/v1alpha1"
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
