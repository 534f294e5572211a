package seal

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"reflect"
	"strings"
	"testing"

	ssv1 "github.com/bitnami/sealed-secrets/pkg/apis/sealedsecrets/v1alpha1"
	"github.com/bitnami/sealed-secrets/pkg/crypto"
	"github.com/bitnami/sealed-secrets/pkg/kubeseal"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
)

var allScopes = []ssv1.SealingScope{ssv1.StrictScope, ssv1.NamespaceWideScope, ssv1.ClusterWideScope}

// TestRoundTrip: what we seal, encoded as we write it and decoded again, is
// decrypted by the controller's own Unseal back to the exact input.
func TestRoundTrip(t *testing.T) {
	t.Parallel()
	kp, keys := newTestKey(t)
	for _, scope := range allScopes {
		for _, format := range []Format{FormatYAML, FormatJSON} {
			t.Run(ScopeName(scope)+"/"+string(format), func(t *testing.T) {
				t.Parallel()
				want := testValues()
				sc := scope
				ss, err := SealSecret(testSecret("confluence-credentials", "agentic-ai", want), kp.Cert.PublicKey.(*rsaPub), Options{Scope: &sc})
				if err != nil {
					t.Fatal(err)
				}
				data, err := Encode([]*ssv1.SealedSecret{ss}, format)
				if err != nil {
					t.Fatal(err)
				}
				docs, err := DecodeSealedSecrets("out", data)
				if err != nil {
					t.Fatal(err)
				}
				got, err := docs[0].Object.Unseal(scheme.Codecs, keys)
				if err != nil {
					t.Fatalf("controller Unseal failed: %v", err)
				}
				if !reflect.DeepEqual(normalize(got.Data), normalize(want)) {
					t.Errorf("round trip changed the data")
				}
				if got.Name != "confluence-credentials" || got.Namespace != "agentic-ai" || got.Type != "Opaque" {
					t.Errorf("unsealed metadata %s/%s type %s", got.Namespace, got.Name, got.Type)
				}
				if gotScope := ssv1.SecretScope(docs[0].Object); gotScope != scope {
					t.Errorf("scope annotations say %s, want %s", ScopeName(gotScope), ScopeName(scope))
				}
				if r := Verify(docs[0].Object, keys); !r.OK() {
					t.Errorf("verify rejects a fresh SealedSecret: %+v", r)
				}
			})
		}
	}
}

// normalize treats nil and empty values alike (JSON cannot tell them apart).
func normalize(m map[string][]byte) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		out[k] = string(v)
	}
	return out
}

func TestSealSecretInputs(t *testing.T) {
	t.Parallel()
	kp, keys := newTestKey(t)
	pub := kp.Cert.PublicKey.(*rsaPub)

	t.Run("stringData is sealed too", func(t *testing.T) {
		t.Parallel()
		s := testSecret("a", "ns", nil)
		s.StringData = map[string]string{"K": "v"}
		ss, err := SealSecret(s, pub, Options{})
		if err != nil {
			t.Fatal(err)
		}
		got, err := ss.Unseal(scheme.Codecs, keys)
		if err != nil || string(got.Data["K"]) != "v" {
			t.Fatalf("got %v, %v", got, err)
		}
	})
	t.Run("last-applied annotation is stripped", func(t *testing.T) {
		t.Parallel()
		s := testSecret("a", "ns", map[string][]byte{"K": []byte("v")})
		s.Annotations = map[string]string{"kubectl.kubernetes.io/last-applied-configuration": `{"data":{"K":"dg=="}}`}
		ss, err := SealSecret(s, pub, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := ss.Spec.Template.Annotations["kubectl.kubernetes.io/last-applied-configuration"]; ok {
			t.Error("plaintext copy in last-applied annotation survived")
		}
		if _, ok := s.Annotations["kubectl.kubernetes.io/last-applied-configuration"]; !ok {
			t.Error("input Secret was modified")
		}
	})
	t.Run("manifest scope annotation kept without --scope", func(t *testing.T) {
		t.Parallel()
		s := testSecret("a", "ns", map[string][]byte{"K": []byte("v")})
		s.Annotations = map[string]string{ssv1.SealedSecretNamespaceWideAnnotation: "true"}
		ss, err := SealSecret(s, pub, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if ssv1.SecretScope(ss) != ssv1.NamespaceWideScope {
			t.Errorf("scope %s", scopeOf(ss))
		}
	})
	errCases := []struct {
		name, want string
		s          func() *corev1Secret
	}{
		{"no name", "no name", func() *corev1Secret { return testSecret("", "ns", map[string][]byte{"K": nil}) }},
		{"no namespace", "no namespace", func() *corev1Secret { return testSecret("a", "", map[string][]byte{"K": nil}) }},
		{"no data", "no data", func() *corev1Secret { return testSecret("a", "ns", nil) }},
	}
	for _, tc := range errCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if _, err := SealSecret(tc.s(), pub, Options{}); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want error containing %q", err, tc.want)
			}
		})
	}
	t.Run("cluster-wide needs no namespace", func(t *testing.T) {
		t.Parallel()
		cw := ssv1.ClusterWideScope
		ss, err := SealSecret(testSecret("a", "", map[string][]byte{"K": []byte("v")}), pub, Options{Scope: &cw})
		if err != nil {
			t.Fatal(err)
		}
		ss.Namespace = "anywhere"
		if _, err := ss.Unseal(scheme.Codecs, keys); err != nil {
			t.Error(err)
		}
	})
}

// TestSealRaw: a --raw value decrypts with the label of its scope, and fits
// into a SealedSecret the controller unseals.
func TestSealRaw(t *testing.T) {
	t.Parallel()
	kp, keys := newTestKey(t)
	pub := kp.Cert.PublicKey.(*rsaPub)
	for _, scope := range allScopes {
		t.Run(ScopeName(scope), func(t *testing.T) {
			t.Parallel()
			value := []byte{0, 1, 2, 'x', 0xff}
			ct, err := SealRaw(pub, "api", "agentic-ai", scope, value)
			if err != nil {
				t.Fatal(err)
			}
			raw, err := base64.StdEncoding.DecodeString(ct)
			if err != nil {
				t.Fatal(err)
			}
			got, err := crypto.HybridDecrypt(randReader(), keys, raw, ssv1.EncryptionLabel("agentic-ai", "api", scope))
			if err != nil || !bytes.Equal(got, value) {
				t.Fatalf("decrypt: %v", err)
			}
			ss := &ssv1.SealedSecret{}
			ss.Name, ss.Namespace = "api", "agentic-ai"
			ss.Annotations = ssv1.UpdateScopeAnnotations(nil, scope)
			ss.Spec.EncryptedData = map[string]string{"v": ct}
			if _, err := ss.Unseal(scheme.Codecs, keys); err != nil {
				t.Errorf("controller rejects raw value: %v", err)
			}
		})
	}
	if _, err := SealRaw(pub, "", "ns", ssv1.StrictScope, []byte("x")); err == nil {
		t.Error("strict raw without name accepted")
	}
	if _, err := SealRaw(pub, "a", "", ssv1.NamespaceWideScope, []byte("x")); err == nil {
		t.Error("namespace-wide raw without namespace accepted")
	}
}

// fakeClientConfig is the kubeconfig kubeseal.Seal asks for the namespace.
type fakeClientConfig struct{}

func (fakeClientConfig) ClientConfig() (*rest.Config, error) { return &rest.Config{}, nil }
func (fakeClientConfig) Namespace() (string, bool, error)    { return "agentic-ai", false, nil }

// TestVerifyAcceptsKubesealOutput: a SealedSecret produced by kubeseal's own
// library code path is accepted by Verify, with and without the key.
func TestVerifyAcceptsKubesealOutput(t *testing.T) {
	t.Parallel()
	kp, keys := newTestKey(t)
	pub := kp.Cert.PublicKey.(*rsaPub)
	in := `apiVersion: v1
kind: Secret
metadata:
  name: confluence-credentials
  namespace: agentic-ai
stringData:
  CONFLUENCE_USERNAME: bot@example.com
data:
  CONFLUENCE_API_TOKEN: c2VjcmV0
`
	for _, scope := range allScopes {
		for _, format := range []string{"yaml", "json"} {
			t.Run(ScopeName(scope)+"/"+format, func(t *testing.T) {
				t.Parallel()
				var out bytes.Buffer
				if err := kubeseal.Seal(fakeClientConfig{}, format, strings.NewReader(in), &out, scheme.Codecs, pub, scope, false, "", ""); err != nil {
					t.Fatal(err)
				}
				docs, err := DecodeSealedSecrets("kubeseal.out", out.Bytes())
				if err != nil {
					t.Fatal(err)
				}
				if r := Verify(docs[0].Object, nil); !r.OK() {
					t.Errorf("structural verify rejects kubeseal output: %v", r.Problems)
				}
				r := Verify(docs[0].Object, keys)
				if !r.OK() || len(r.Keys) != 2 {
					t.Errorf("verify with key: %+v", r)
				}
			})
		}
	}
}

func TestMerge(t *testing.T) {
	t.Parallel()
	kp, keys := newTestKey(t)
	pub := kp.Cert.PublicKey.(*rsaPub)
	orig, err := SealSecret(testSecret("a", "ns", map[string][]byte{"KEEP": []byte("k"), "CHANGE": []byte("old")}), pub, Options{})
	if err != nil {
		t.Fatal(err)
	}
	update, err := SealSecret(testSecret("a", "ns", map[string][]byte{"CHANGE": []byte("new"), "ADD": []byte("a")}), pub, Options{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := Merge(orig, update)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(res, MergeResult{Added: []string{"ADD"}, Replaced: []string{"CHANGE"}}) {
		t.Errorf("result %+v", res)
	}
	got, err := orig.Unseal(scheme.Codecs, keys)
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]string{"KEEP": "k", "CHANGE": "new", "ADD": "a"}; !reflect.DeepEqual(normalize(got.Data), want) {
		t.Errorf("merged data %v", normalize(got.Data))
	}

	nw := ssv1.NamespaceWideScope
	other, err := SealSecret(testSecret("a", "ns", map[string][]byte{"X": []byte("x")}), pub, Options{Scope: &nw})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Merge(orig, other); err == nil {
		t.Error("merging namespace-wide values into a strict SealedSecret was accepted")
	}
	renamed, err := SealSecret(testSecret("b", "ns", map[string][]byte{"X": []byte("x")}), pub, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Merge(orig, renamed); err == nil {
		t.Error("merging another object's values was accepted")
	}
}

// TestRoundTripManyKeys exercises the parallel path (many keys, data and
// stringData mixed): every value comes back under its own key.
func TestRoundTripManyKeys(t *testing.T) {
	t.Parallel()
	kp, keys := newTestKey(t)
	s := testSecret("many", "agentic-ai", map[string][]byte{})
	s.StringData = map[string]string{}
	for i := range 300 {
		k, v := fmt.Sprintf("K%03d", i), fmt.Sprintf("value-%d", i)
		if i%3 == 0 {
			s.StringData[k] = v
		} else {
			s.Data[k] = []byte(v)
		}
	}
	ss, err := SealSecret(s, &kp.Key.PublicKey, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := ss.Unseal(scheme.Codecs, keys)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Data) != 300 {
		t.Fatalf("got %d keys, want 300", len(got.Data))
	}
	for i := range 300 {
		if k := fmt.Sprintf("K%03d", i); string(got.Data[k]) != fmt.Sprintf("value-%d", i) {
			t.Fatalf("%s came back wrong", k)
		}
	}
}
