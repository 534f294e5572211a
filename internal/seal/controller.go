package seal

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

const (
	// ControllerNamespace and ControllerName are kubeseal's defaults for
	// where the sealed-secrets controller runs.
	ControllerNamespace = "kube-system"
	ControllerName      = "sealed-secrets-controller"
	// KeyLabel marks a Secret as a controller sealing key
	// (sealed-secrets controller.SealedSecretsKeyLabel).
	KeyLabel = "sealedsecrets.bitnami.com/sealed-secrets-key"
	// DevKeySecretName names the Secret holding the dev key in the cluster.
	DevKeySecretName = "emmdev-dev-sealing-key"
)

// ControllerKeySecret renders the dev key pair as the Secret the
// sealed-secrets controller loads its keys from: kube-system, type
// kubernetes.io/tls, label sealedsecrets.bitnami.com/sealed-secrets-key=active,
// tls.crt and tls.key in the controller's own PEM formats.
//
// Create it before the controller starts (or restart the controller after):
// the controller reads its keys at start-up and only generates a key of its
// own when it finds none. The returned object contains the private key; apply
// it, never print it.
func ControllerKeySecret(kp *KeyPair) (*corev1.Secret, error) {
	return &corev1.Secret{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
		ObjectMeta: metav1.ObjectMeta{
			Name:      DevKeySecretName,
			Namespace: ControllerNamespace,
			Labels:    map[string]string{KeyLabel: "active"},
		},
		Type: corev1.SecretTypeTLS,
		Data: map[string][]byte{
			corev1.TLSCertKey:       kp.CertPEM(),
			corev1.TLSPrivateKeyKey: kp.KeyPEM(),
		},
	}, nil
}
