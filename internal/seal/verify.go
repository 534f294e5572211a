package seal

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/binary"
	"fmt"

	ssv1 "github.com/bitnami/sealed-secrets/pkg/apis/sealedsecrets/v1alpha1"
	"github.com/bitnami/sealed-secrets/pkg/crypto"
	"k8s.io/client-go/kubernetes/scheme"
)

// KeyResult is the outcome of decrypting one encryptedData entry.
type KeyResult struct {
	Key string
	OK  bool
	// Why explains a failure (which name/namespace/scope the value was
	// really sealed for, when that can be found out).
	Why string
}

// Result is what Verify found for one SealedSecret.
type Result struct {
	// Problems are structural: they make the controller refuse or
	// misplace the Secret whatever the key.
	Problems []string
	// Keys is filled only when private keys were given, sorted by key.
	Keys []KeyResult
}

// OK reports whether nothing was wrong.
func (r Result) OK() bool {
	if len(r.Problems) > 0 {
		return false
	}
	for _, k := range r.Keys {
		if !k.OK {
			return false
		}
	}
	return true
}

// Verify checks a SealedSecret. With privKeys (fingerprint → key, as the
// controller holds them) every value is decrypted exactly as the controller
// would; without, only structure is checked. Plaintexts are discarded.
func Verify(ss *ssv1.SealedSecret, privKeys map[string]*rsa.PrivateKey) Result {
	res := Result{Problems: structure(ss)}
	if len(privKeys) == 0 {
		return res
	}
	label := ssv1.EncryptionLabel(ss.Namespace, ss.Name, ssv1.SecretScope(ss))
	for _, k := range Keys(ss) {
		kr := KeyResult{Key: k}
		ct, err := base64.StdEncoding.DecodeString(ss.Spec.EncryptedData[k])
		switch {
		case err != nil:
			kr.Why = "not valid base64"
		default:
			if _, err := crypto.HybridDecrypt(rand.Reader, privKeys, ct, label); err == nil {
				kr.OK = true
			} else {
				kr.Why = diagnose(ss, privKeys, ct)
			}
		}
		res.Keys = append(res.Keys, kr)
	}
	if res.OK() {
		// Last word to the controller's own code path, on a copy because
		// Unseal mutates nothing today but owns no promise about it.
		if _, err := ss.DeepCopy().Unseal(scheme.Codecs, privKeys); err != nil {
			// Its error may quote templates; keep the report generic.
			res.Problems = append(res.Problems, "the controller's Unseal rejects it (spec.template.data could not be rendered?)")
		}
	}
	return res
}

// diagnose finds which label a value was sealed with, trying the
// mismatches that bite in practice: renamed object, moved namespace,
// changed scope. The plaintext of a successful trial is dropped.
func diagnose(ss *ssv1.SealedSecret, privKeys map[string]*rsa.PrivateKey, ct []byte) string {
	tname, tns := ss.Spec.Template.Name, ss.Spec.Template.Namespace
	type trial struct {
		label []byte
		why   string
	}
	var trials []trial
	if tname != "" && tns != "" {
		trials = append(trials, trial{ssv1.EncryptionLabel(tns, tname, ssv1.StrictScope),
			fmt.Sprintf("sealed strict for %s/%s (the object was renamed or moved)", tns, tname)})
	}
	trials = append(trials,
		trial{ssv1.EncryptionLabel(ss.Namespace, ss.Name, ssv1.StrictScope), fmt.Sprintf("sealed strict for %s/%s, but annotated %s", ss.Namespace, ss.Name, scopeOf(ss))},
		trial{ssv1.EncryptionLabel(ss.Namespace, "", ssv1.NamespaceWideScope), fmt.Sprintf("sealed namespace-wide for %s, but annotated %s", ss.Namespace, scopeOf(ss))},
		trial{ssv1.EncryptionLabel("", "", ssv1.ClusterWideScope), fmt.Sprintf("sealed cluster-wide, but annotated %s", scopeOf(ss))},
	)
	if tns != "" && tns != ss.Namespace {
		trials = append(trials, trial{ssv1.EncryptionLabel(tns, "", ssv1.NamespaceWideScope),
			fmt.Sprintf("sealed namespace-wide for %s (the object was moved)", tns)})
	}
	for _, t := range trials {
		if _, err := crypto.HybridDecrypt(rand.Reader, privKeys, ct, t.label); err == nil {
			return t.why
		}
	}
	return "cannot decrypt: sealed for another name/namespace, or with another controller's key"
}

func scopeOf(ss *ssv1.SealedSecret) string { return ScopeName(ssv1.SecretScope(ss)) }

// structure checks what can be checked without a key: the fields the
// controller decrypts with must agree with what the values were sealed for.
func structure(ss *ssv1.SealedSecret) []string {
	var p []string
	add := func(format string, a ...any) { p = append(p, fmt.Sprintf(format, a...)) }
	scope := ssv1.SecretScope(ss)
	if ss.Name == "" {
		add("metadata.name is empty")
	}
	if ss.Namespace == "" && scope != ssv1.ClusterWideScope {
		add("metadata.namespace is empty: %s-scoped values only decrypt in the namespace they were sealed for", ScopeName(scope))
	}
	if a := ss.Annotations; a[ssv1.SealedSecretClusterWideAnnotation] == "true" && a[ssv1.SealedSecretNamespaceWideAnnotation] == "true" {
		add("both the namespace-wide and cluster-wide annotations are set (cluster-wide wins)")
	}
	if ts := ssv1.SecretScope(&ss.Spec.Template); ts != scope {
		add("scope annotations disagree: metadata says %s, spec.template.metadata says %s (the controller uses metadata)", ScopeName(scope), ScopeName(ts))
	}
	tname, tns := ss.Spec.Template.Name, ss.Spec.Template.Namespace
	if scope == ssv1.StrictScope && tname != "" && tname != ss.Name {
		add("metadata.name is %q but the values were sealed for %q (spec.template.metadata.name); strict scope will not decrypt", ss.Name, tname)
	}
	if scope != ssv1.ClusterWideScope && tns != "" && tns != ss.Namespace {
		add("metadata.namespace is %q but the values were sealed for %q (spec.template.metadata.namespace); %s scope will not decrypt", ss.Namespace, tns, ScopeName(scope))
	}
	if len(ss.Spec.Data) > 0 {
		add("uses the deprecated spec.data field, which the controller rejects by default")
	}
	if len(ss.Spec.EncryptedData) == 0 {
		add("spec.encryptedData is empty")
	}
	for _, k := range Keys(ss) {
		if msg := checkCiphertext(ss.Spec.EncryptedData[k]); msg != "" {
			add("encryptedData.%s: %s", k, msg)
		}
	}
	return p
}

// checkCiphertext checks the framing crypto.HybridEncrypt produces:
// 2-byte RSA length, RSA-OAEP block, AES-GCM ciphertext with its 16-byte tag.
func checkCiphertext(v string) string {
	ct, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		return "not valid base64"
	}
	if len(ct) < 2 {
		return "too short to be sealed data"
	}
	n := int(binary.BigEndian.Uint16(ct))
	if n < 128 || n > 2048 || len(ct) < 2+n+16 {
		return "not sealed-secrets ciphertext (truncated or corrupted)"
	}
	return ""
}
