package deploy

import (
	"embed"
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/emmdev/emmdev/internal/seal"
)

// The controller manifests are data, embedded read-only.
//
//go:embed sealedsecrets/crd.yaml sealedsecrets/controller.yaml
var sealedSecretsFS embed.FS

// SealedSecretsObjects returns the CRD and the controller's objects.
func SealedSecretsObjects() ([]Object, error) {
	var objs []Object
	for _, f := range []string{"sealedsecrets/crd.yaml", "sealedsecrets/controller.yaml"} {
		data, err := sealedSecretsFS.ReadFile(f)
		if err != nil {
			return nil, err
		}
		more, err := Parse("embedded "+f, data)
		if err != nil {
			return nil, err
		}
		objs = append(objs, more...)
	}
	return objs, nil
}

// DevKeySecret renders the dev key pair as the Secret the controller loads
// as its active key (seal.ControllerKeySecret), ready to apply. It holds the
// private key: apply it, never print it.
func DevKeySecret(kp *seal.KeyPair) (Object, error) {
	sec, err := seal.ControllerKeySecret(kp)
	if err != nil {
		return Object{}, err
	}
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(sec)
	if err != nil {
		return Object{}, fmt.Errorf("dev key secret: %w", err)
	}
	u := &unstructured.Unstructured{Object: m}
	unstructured.RemoveNestedField(u.Object, "metadata", "creationTimestamp")
	labels := u.GetLabels()
	labels["app.kubernetes.io/managed-by"] = "emmdev"
	u.SetLabels(labels)
	return Object{Unstructured: u, Source: "dev sealing key"}, nil
}

// ControllerWithKey returns the objects to apply for the controller, the dev
// key Secret among them. Sort puts the Secret before the Deployment, so the
// controller finds the key on its first start instead of generating one.
func ControllerWithKey(kp *seal.KeyPair) ([]Object, error) {
	objs, err := SealedSecretsObjects()
	if err != nil {
		return nil, err
	}
	key, err := DevKeySecret(kp)
	if err != nil {
		return nil, err
	}
	return Sort(append(objs, key)), nil
}
