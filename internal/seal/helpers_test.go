package seal

import (
	"crypto/rand"
	"crypto/rsa"
	"io"
	"testing"
	"time"

	"github.com/bitnami/sealed-secrets/pkg/crypto"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// newTestKey makes a throwaway 2048-bit key pair (the dev default is 4096,
// which is slower to generate and not what these tests are about).
func newTestKey(t testing.TB) (*KeyPair, map[string]*rsa.PrivateKey) {
	t.Helper()
	kp, err := GenerateKeyPair(2048, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	fp, err := crypto.PublicKeyFingerprint(&kp.Key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return kp, map[string]*rsa.PrivateKey{fp: kp.Key}
}

// testValues covers text, multi-line, empty and non-UTF-8 binary values.
func testValues() map[string][]byte {
	return map[string][]byte{
		"CONFLUENCE_URL":       []byte("https://example.atlassian.net/wiki"),
		"CONFLUENCE_API_TOKEN": []byte("tok-3f9a\"quoted\" $dollar \\back"),
		"MULTI_LINE":           []byte("-----BEGIN KEY-----\nabc\n-----END KEY-----\n"),
		"EMPTY":                {},
		"BINARY":               {0x00, 0xff, 0xfe, 0x80, 0x0a, 0x00, 0x7f},
		"unicode.key":          []byte("päss✓"),
	}
}

func testSecret(name, ns string, data map[string][]byte) *corev1.Secret {
	return &corev1.Secret{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Type:       corev1.SecretTypeOpaque,
		Data:       data,
	}
}

type (
	rsaPub       = rsa.PublicKey
	corev1Secret = corev1.Secret
)

func randReader() io.Reader { return rand.Reader }
