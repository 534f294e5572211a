package fetchtest

import (
	"context"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/emmdev/emmdev/internal/seal"
	"github.com/emmdev/emmdev/internal/testcp"
)

// TestValidateSecretAgreesWithTheAPIServer: what seal refuses to seal, the
// real kube-apiserver refuses to create (server-side dry run), and what it
// seals, the API server accepts; case by case, each invalid case breaking
// one rule.
func TestValidateSecretAgreesWithTheAPIServer(t *testing.T) {
	cp := testcp.Get(t)
	ns := cp.Namespace(t)
	big := func(n int) []byte { return []byte(strings.Repeat("x", n)) }
	const mib = 1 << 20
	cases := []struct {
		name string
		mut  func(s *corev1.Secret)
	}{
		{"valid opaque", func(*corev1.Secret) {}},
		{"name with upper case and underscore", func(s *corev1.Secret) { s.Name = "Bad_Name" }},
		{"name of 254 characters", func(s *corev1.Secret) { s.Name = strings.Repeat("a", 254) }},
		{"name with dots", func(s *corev1.Secret) { s.Name = "a.b.c" }},
		{"data key with a space and a slash", func(s *corev1.Secret) { s.Data["bad key/x"] = []byte("v") }},
		{"stringData key with a space", func(s *corev1.Secret) { s.StringData = map[string]string{"a b": "v"} }},
		{"key '.'", func(s *corev1.Secret) { s.Data["."] = []byte("v") }},
		{"key of 254 characters", func(s *corev1.Secret) { s.Data[strings.Repeat("k", 254)] = []byte("v") }},
		{"key with dots, dashes, underscores", func(s *corev1.Secret) { s.Data["a.b-c_D"] = []byte("v") }},
		{"label value with a space", func(s *corev1.Secret) { s.Labels = map[string]string{"app": "bad value"} }},
		{"label key with two slashes", func(s *corev1.Secret) { s.Labels = map[string]string{"a/b/c": "v"} }},
		{"label value of 64 characters", func(s *corev1.Secret) { s.Labels = map[string]string{"app": strings.Repeat("v", 64)} }},
		{"annotation key with a space", func(s *corev1.Secret) { s.Annotations = map[string]string{"bad key": "v"} }},
		{"exactly 1 MiB", func(s *corev1.Secret) { s.Data = map[string][]byte{"a": big(mib)} }},
		{"1 MiB and one byte", func(s *corev1.Secret) { s.Data = map[string][]byte{"a": big(mib + 1)} }},
		{"over 1 MiB across data and stringData", func(s *corev1.Secret) {
			s.Data = map[string][]byte{"a": big(mib / 2)}
			s.StringData = map[string]string{"b": string(big(mib/2 + 1))}
		}},
		{"stringData replaces a data key of the same name", func(s *corev1.Secret) {
			s.Data = map[string][]byte{"a": big(mib)}
			s.StringData = map[string]string{"a": "small"}
		}},
		{"tls without tls.key", func(s *corev1.Secret) {
			s.Type = corev1.SecretTypeTLS
			s.Data = map[string][]byte{"tls.crt": []byte("c")}
		}},
		{"tls with both keys", func(s *corev1.Secret) {
			s.Type = corev1.SecretTypeTLS
			s.Data = map[string][]byte{"tls.crt": []byte("c"), "tls.key": []byte("k")}
		}},
		{"basic-auth with a username only", func(s *corev1.Secret) {
			s.Type = corev1.SecretTypeBasicAuth
			s.Data = map[string][]byte{"username": []byte("u")}
		}},
		{"basic-auth with neither", func(s *corev1.Secret) { s.Type = corev1.SecretTypeBasicAuth }},
		{"dockerconfigjson that is not JSON", func(s *corev1.Secret) {
			s.Type = corev1.SecretTypeDockerConfigJson
			s.Data = map[string][]byte{".dockerconfigjson": []byte("{not json")}
		}},
		{"dockerconfigjson", func(s *corev1.Secret) {
			s.Type = corev1.SecretTypeDockerConfigJson
			s.Data = map[string][]byte{".dockerconfigjson": []byte(`{"auths":{}}`)}
		}},
		{"dockercfg without its key", func(s *corev1.Secret) { s.Type = corev1.SecretTypeDockercfg }},
		{"ssh-auth with an empty key", func(s *corev1.Secret) {
			s.Type = corev1.SecretTypeSSHAuth
			s.Data = map[string][]byte{"ssh-privatekey": {}}
		}},
		{"service-account-token without its annotation", func(s *corev1.Secret) { s.Type = corev1.SecretTypeServiceAccountToken }},
		{"a type of one's own", func(s *corev1.Secret) { s.Type = "example.com/widget" }},
	}
	ctx := context.Background()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := &corev1.Secret{
				ObjectMeta: metav1.ObjectMeta{Name: "s", Namespace: ns},
				Type:       corev1.SecretTypeOpaque,
				Data:       map[string][]byte{"A": []byte("1")},
			}
			tc.mut(s)
			ours := seal.ValidateSecret(s)
			_, err := cp.Clientset.CoreV1().Secrets(ns).Create(ctx, s.DeepCopy(), metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
			if err != nil && !apierrors.IsInvalid(err) && !apierrors.IsRequestEntityTooLargeError(err) {
				t.Fatalf("API server: %v", err)
			}
			if (len(ours) > 0) != (err != nil) {
				t.Errorf("seal says %v; the API server says %v", ours, err)
			}
		})
	}
}
