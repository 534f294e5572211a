package seal

import (
	"strings"
	"testing"

	ssv1 "github.com/bitnami/sealed-secrets/pkg/apis/sealedsecrets/v1alpha1"
	"k8s.io/client-go/kubernetes/scheme"
)

// TestTamper: renaming, moving to another namespace or transplanting a
// ciphertext from another SealedSecret fails under strict scope and passes
// where the scope allows it. The controller's Unseal is the oracle; Verify
// must agree with it key by key.
func TestTamper(t *testing.T) {
	t.Parallel()
	kp, keys := newTestKey(t)
	pub := kp.Cert.PublicKey.(*rsaPub)
	seal := func(t *testing.T, name, ns string, scope ssv1.SealingScope, data map[string][]byte) *ssv1.SealedSecret {
		t.Helper()
		ss, err := SealSecret(testSecret(name, ns, data), pub, Options{Scope: &scope})
		if err != nil {
			t.Fatal(err)
		}
		return ss
	}
	type tamper func(t *testing.T, ss *ssv1.SealedSecret, scope ssv1.SealingScope)
	rename := func(_ *testing.T, ss *ssv1.SealedSecret, _ ssv1.SealingScope) { ss.Name = "renamed" }
	move := func(_ *testing.T, ss *ssv1.SealedSecret, _ ssv1.SealingScope) { ss.Namespace = "elsewhere" }
	// Transplant a value sealed for another object in the same namespace.
	transplant := func(t *testing.T, ss *ssv1.SealedSecret, scope ssv1.SealingScope) {
		other := seal(t, "other", "agentic-ai", scope, map[string][]byte{"PASSWORD": []byte("other's")})
		ss.Spec.EncryptedData["PASSWORD"] = other.Spec.EncryptedData["PASSWORD"]
	}
	// Swap two values inside one object: sealed-secrets binds a value to the
	// object, not to its key, so this decrypts under every scope. The test
	// pins that limit down so nobody relies on verify to catch it.
	swapWithin := func(_ *testing.T, ss *ssv1.SealedSecret, _ ssv1.SealingScope) {
		d := ss.Spec.EncryptedData
		d["USER"], d["PASSWORD"] = d["PASSWORD"], d["USER"]
	}
	tests := []struct {
		name   string
		tamper tamper
		// whether the controller still decrypts, per scope
		strict, nsWide, clusterWide bool
		// what a failing key's explanation mentions
		why string
	}{
		{"rename", rename, false, true, true, "moved"},
		{"move namespace", move, false, false, true, "moved"},
		{"ciphertext from another object", transplant, false, true, true, "another"},
		{"swap keys within the object", swapWithin, true, true, true, ""},
	}
	for _, tc := range tests {
		for i, scope := range allScopes {
			want := []bool{tc.strict, tc.nsWide, tc.clusterWide}[i]
			t.Run(tc.name+"/"+ScopeName(scope), func(t *testing.T) {
				t.Parallel()
				ss := seal(t, "confluence-credentials", "agentic-ai", scope,
					map[string][]byte{"USER": []byte("u"), "PASSWORD": []byte("p")})
				tc.tamper(t, ss, scope)
				_, err := ss.DeepCopy().Unseal(scheme.Codecs, keys)
				if (err == nil) != want {
					t.Fatalf("controller Unseal err=%v, want success=%v", err, want)
				}
				r := Verify(ss, keys)
				decrypts := true
				for _, k := range r.Keys {
					if !k.OK {
						decrypts = false
						if !strings.Contains(k.Why, tc.why) {
							t.Errorf("key %s: explanation %q lacks %q", k.Key, k.Why, tc.why)
						}
					}
				}
				if decrypts != want {
					t.Errorf("Verify per-key decrypts=%v, controller=%v: %+v", decrypts, want, r.Keys)
				}
				// Without a key, rename/move under a binding scope must
				// still be flagged from the template metadata.
				structural := Verify(ss, nil)
				if tc.name != "ciphertext from another object" && structural.OK() != want {
					t.Errorf("structural OK=%v, want %v: %v", structural.OK(), want, structural.Problems)
				}
			})
		}
	}
}

// TestVerifyWrongKey: values sealed with another controller's key fail.
func TestVerifyWrongKey(t *testing.T) {
	t.Parallel()
	kp, _ := newTestKey(t)
	_, otherKeys := newTestKey(t)
	ss, err := SealSecret(testSecret("a", "ns", map[string][]byte{"K": []byte("v")}), kp.Cert.PublicKey.(*rsaPub), Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := Verify(ss, otherKeys)
	if r.OK() || len(r.Keys) != 1 || !strings.Contains(r.Keys[0].Why, "another controller's key") {
		t.Errorf("got %+v", r)
	}
}
