package celpolicy

import (
	"fmt"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/kubernetes/pkg/api/legacyscheme"

	"github.com/emmdev/emmdev/internal/apivalidation"
)

// kubeScheme is kube-apiserver's scheme (legacyscheme, which the admission
// libraries are wired to) with every built-in API group registered: the
// server's defaulting and internal-version round trip for offline
// evaluation, and its conversion of ValidatingAdmissionPolicy objects. The
// groups are registered on first use (apivalidation.RegisterAll), not by
// the install packages' init(), which every emmdev command would pay for
// at start-up, and under apivalidation's lock, so reads here never race a
// registration there.
func kubeScheme() (*runtime.Scheme, error) {
	if err := apivalidation.RegisterAll(); err != nil {
		return nil, fmt.Errorf("registering the built-in API groups: %w", err)
	}
	return legacyscheme.Scheme, nil
}

// mustKubeScheme is kubeScheme where the caller cannot return an error. A
// group that failed to register (a build defect, not an input) leaves its
// kinds unknown, and defaulting or conversion then fails with the scheme's
// own message through the caller's error path.
func mustKubeScheme() *runtime.Scheme {
	_ = apivalidation.RegisterAll()
	return legacyscheme.Scheme
}
