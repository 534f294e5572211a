package schema

import (
	"encoding/base64"
	"errors"
	"regexp"
	"strings"

	jsonschema "github.com/santhosh-tekuri/jsonschema/v6"
	"k8s.io/kube-openapi/pkg/validation/strfmt"
)

// formats returns the custom formats registered on every compiler.
// "duration" follows kubeconform (Go durations such as "1h30m", or ISO
// 8601); "byte" is checked because the API server rejects data that is not
// base64, a common mistake when plain text lands in Secret.data.
func formats() []*jsonschema.Format {
	iso := regexp.MustCompile(`^P(\d+W|(\d+Y)?(\d+M)?(\d+D)?(T(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?)$`)
	return []*jsonschema.Format{
		{Name: "duration", Validate: func(v any) error {
			s, ok := v.(string)
			if !ok {
				return nil
			}
			if _, err := strfmt.ParseDuration(s); err == nil {
				return nil
			}
			if s == "P" || strings.HasSuffix(s, "T") || !iso.MatchString(s) {
				return errors.New("not a Go duration (1h30m) nor an ISO 8601 duration (PT1H30M)")
			}
			return nil
		}},
		{Name: "byte", Validate: func(v any) error {
			s, ok := v.(string)
			if !ok {
				return nil
			}
			// encoding/json, which the API server uses for []byte, skips newlines.
			s = strings.NewReplacer("\n", "", "\r", "").Replace(s)
			if _, err := base64.StdEncoding.DecodeString(s); err != nil {
				// The error text would quote input bytes: keep it generic.
				return errors.New("not valid base64")
			}
			return nil
		}},
	}
}
