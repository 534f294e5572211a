package seal

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// FieldError is one reason the API server would refuse a Secret: the path
// of the field (as segments, to find its line) and a message that names
// keys, never values.
type FieldError struct {
	Path []string
	Msg  string
}

// ValidateSecret checks s the way the API server validates a Secret on
// create, so that nothing is sealed that the controller could never turn
// into a Secret. It follows k8s.io/kubernetes pkg/apis/core/validation
// ValidateSecret (v1.37), which runs on the internal Secret whose data
// already holds stringData: object metadata through apimachinery's own
// ValidateObjectMeta (name a DNS subdomain, namespace a DNS label, labels,
// annotations), every key a valid config key, at most 1 MiB of data in
// total, and the keys each Secret type requires. A Secret without a
// namespace (cluster-wide scope) is checked as if it had one.
func ValidateSecret(s *corev1.Secret) []FieldError {
	var out []FieldError
	meta := s.ObjectMeta.DeepCopy()
	if meta.Namespace == "" {
		meta.Namespace = "default"
	}
	for _, e := range apivalidation.ValidateObjectMeta(meta, true, apivalidation.NameIsDNSSubdomain, field.NewPath("metadata")) {
		out = append(out, FieldError{Path: pathSegments(e.Field), Msg: e.Error()})
	}
	data := map[string]int{}     // key -> size, stringData winning as in the conversion
	where := map[string]string{} // key -> the field holding it
	for k, v := range s.Data {
		data[k], where[k] = len(v), "data"
	}
	for k, v := range s.StringData {
		data[k], where[k] = len(v), "stringData"
	}
	total, largest := 0, ""
	for _, k := range sortedKeys(data) {
		for _, msg := range validation.IsConfigMapKey(k) {
			out = append(out, FieldError{Path: []string{where[k], k}, Msg: fmt.Sprintf("%s key %q: %s", where[k], k, msg)})
		}
		total += data[k]
		if largest == "" || data[k] > data[largest] {
			largest = k
		}
	}
	if total > corev1.MaxSecretSize {
		// Placed at the largest value, the one to move out first.
		out = append(out, FieldError{Path: []string{where[largest], largest}, Msg: fmt.Sprintf(
			"the values add up to %s (the largest, %q, %s); the API server refuses a Secret over %s (%d bytes)",
			sizeText(total), largest, sizeText(data[largest]), sizeText(corev1.MaxSecretSize), corev1.MaxSecretSize)})
	}
	out = append(out, typeErrors(s, data, where)...)
	return out
}

// typeErrors are the keys each built-in Secret type requires.
func typeErrors(s *corev1.Secret, data map[string]int, where map[string]string) []FieldError {
	var out []FieldError
	required := func(keys ...string) {
		for _, k := range keys {
			if _, ok := data[k]; !ok {
				out = append(out, FieldError{Path: []string{"type"}, Msg: fmt.Sprintf("type %s needs the key %q", s.Type, k)})
			}
		}
	}
	value := func(k string) []byte {
		if v, ok := s.StringData[k]; ok {
			return []byte(v)
		}
		return s.Data[k]
	}
	switch s.Type {
	case corev1.SecretTypeServiceAccountToken:
		if s.Annotations[corev1.ServiceAccountNameKey] == "" {
			out = append(out, FieldError{Path: []string{"metadata", "annotations"}, Msg: fmt.Sprintf("type %s needs the annotation %s", s.Type, corev1.ServiceAccountNameKey)})
		}
	case corev1.SecretTypeDockercfg, corev1.SecretTypeDockerConfigJson:
		key := corev1.DockerConfigKey
		if s.Type == corev1.SecretTypeDockerConfigJson {
			key = corev1.DockerConfigJsonKey
		}
		if _, ok := data[key]; !ok {
			required(key)
			break
		}
		// The API server's message quotes the JSON parser, which quotes
		// the input; say only that it is not JSON.
		if err := json.Unmarshal(value(key), &map[string]any{}); err != nil {
			out = append(out, FieldError{Path: []string{where[key], key}, Msg: fmt.Sprintf("%s key %q: type %s needs a JSON object there", where[key], key, s.Type)})
		}
	case corev1.SecretTypeBasicAuth:
		_, user := data[corev1.BasicAuthUsernameKey]
		_, pass := data[corev1.BasicAuthPasswordKey]
		if !user && !pass {
			required(corev1.BasicAuthUsernameKey, corev1.BasicAuthPasswordKey)
		}
	case corev1.SecretTypeSSHAuth:
		if len(value(corev1.SSHAuthPrivateKey)) == 0 {
			out = append(out, FieldError{Path: []string{"type"}, Msg: fmt.Sprintf("type %s needs a non-empty key %q", s.Type, corev1.SSHAuthPrivateKey)})
		}
	case corev1.SecretTypeTLS:
		required(corev1.TLSCertKey, corev1.TLSPrivateKeyKey)
	}
	return out
}

// CheckSize refuses a value that alone is over the API server's Secret
// limit (--raw seals one value of a Secret the user assembles later).
func CheckSize(what string, n int) error {
	if n > corev1.MaxSecretSize {
		return fmt.Errorf("%s is %s; the API server refuses a Secret over %s (%d bytes)", what, sizeText(n), sizeText(corev1.MaxSecretSize), corev1.MaxSecretSize)
	}
	return nil
}

// PlaintextSize is the size of the value a sealed-secrets ciphertext holds,
// read from its framing (crypto.HybridEncrypt: a 2-byte length, the RSA
// block, then AES-GCM output with its 16-byte tag), without decrypting it.
func PlaintextSize(ciphertext string) (int, error) {
	ct, err := base64.StdEncoding.DecodeString(ciphertext)
	if err != nil || len(ct) < 2 {
		return 0, fmt.Errorf("not sealed-secrets ciphertext")
	}
	n := len(ct) - 2 - int(binary.BigEndian.Uint16(ct)) - 16
	if n < 0 {
		return 0, fmt.Errorf("not sealed-secrets ciphertext")
	}
	return n, nil
}

func sizeText(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// FieldErrors joins validation problems into one error, each line placed by
// where (a file:line, a flag name).
func FieldErrors(errs []FieldError, where func(path ...string) string) error {
	if len(errs) == 0 {
		return nil
	}
	lines := make([]string, len(errs))
	for i, e := range errs {
		lines[i] = where(e.Path...) + ": " + e.Msg
	}
	return fmt.Errorf("%s", strings.Join(lines, "\n"))
}
