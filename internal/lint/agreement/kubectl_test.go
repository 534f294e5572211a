package agreement_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/cli-runtime/pkg/resource"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"

	"github.com/emmdev/emmdev/internal/lint/agreement"
)

// kubectl sends files to the API server the way `kubectl create -f FILE
// --dry-run=server --validate=strict` does, with kubectl's own libraries
// (k8s.io/cli-runtime): its YAML-or-JSON stream decoder (sigs.k8s.io/yaml,
// YAML 1.1 scalars), its discovery-based kind-to-resource mapping, the
// namespace defaulting of -n, and resource.Helper's create with
// dryRun=All and fieldValidation=Strict. (kubectl apply sends the same
// object for a new resource, plus its last-applied annotation.)
type kubectl struct {
	cfg    *rest.Config
	disc   discovery.CachedDiscoveryInterface
	mapper meta.ResettableRESTMapper
	ns     string
}

func newKubectl(cfg *rest.Config, ns string) (*kubectl, error) {
	cfg = rest.CopyConfig(cfg)
	// The cases run in parallel: client-go's default 5 QPS would make the
	// suite wait on its own rate limiter.
	cfg.QPS, cfg.Burst = 500, 1000
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return nil, err
	}
	disc := memory.NewMemCacheClient(dc)
	return &kubectl{cfg: cfg, disc: disc, mapper: restmapper.NewDeferredDiscoveryRESTMapper(disc), ns: ns}, nil
}

// resource.RESTClientGetter, as kubectl's factory provides it.
func (k *kubectl) ToRESTConfig() (*rest.Config, error) { return rest.CopyConfig(k.cfg), nil }
func (k *kubectl) ToDiscoveryClient() (discovery.CachedDiscoveryInterface, error) {
	return k.disc, nil
}
func (k *kubectl) ToRESTMapper() (meta.RESTMapper, error) { return k.mapper, nil }

// waitForKinds refreshes discovery until every kind resolves (CRDs just
// became Established), so no case races the API server's discovery.
func (k *kubectl) waitForKinds(ctx context.Context, gvks []schema.GroupVersionKind) error {
	var last error
	err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, 30*time.Second, true, func(context.Context) (bool, error) {
		k.mapper.Reset()
		for _, gvk := range gvks {
			if _, err := k.mapper.RESTMapping(gvk.GroupKind(), gvk.Version); err != nil {
				last = err
				return false, nil
			}
		}
		return true, nil
	})
	if err != nil {
		return fmt.Errorf("kinds not served: %w", errors.Join(last, err))
	}
	return nil
}

// createDryRun is kubectl create's RunCreate with --dry-run=server.
func (k *kubectl) createDryRun(file string) agreement.Outcome {
	r := resource.NewBuilder(k).
		Unstructured().
		ContinueOnError().
		NamespaceParam(k.ns).DefaultNamespace().
		FilenameParam(false, &resource.FilenameOptions{Filenames: []string{file}}).
		Flatten().
		Do()
	err := r.Err()
	count := 0
	if err == nil {
		err = r.Visit(func(info *resource.Info, err error) error {
			if err != nil {
				return err
			}
			count++
			_, err = resource.NewHelper(info.Client, info.Mapping).
				DryRun(true).
				WithFieldManager("kubectl-create").
				WithFieldValidation(metav1.FieldValidationStrict).
				Create(info.Namespace, true, info.Object)
			return err
		})
	}
	if err == nil && count == 0 {
		// kubectl create's own words for a file without objects.
		err = errors.New("no objects passed to create")
	}
	if err == nil {
		return agreement.Outcome{Verdict: agreement.Accept, ServerAnswered: true}
	}
	return agreement.Outcome{
		Verdict:        agreement.Reject,
		Paths:          agreement.ServerPaths(err),
		Message:        err.Error(),
		ServerAnswered: agreement.IsServerVerdict(err),
	}
}

// create creates (for real) what a case needs to exist: CRDs and the
// cluster state of the known differences.
func (k *kubectl) create(ctx context.Context, file string) error {
	r := resource.NewBuilder(k).Unstructured().ContinueOnError().
		NamespaceParam(k.ns).DefaultNamespace().
		FilenameParam(false, &resource.FilenameOptions{Filenames: []string{file}}).
		Flatten().Do()
	if err := r.Err(); err != nil {
		return err
	}
	return r.Visit(func(info *resource.Info, err error) error {
		if err != nil {
			return err
		}
		_, err = resource.NewHelper(info.Client, info.Mapping).
			WithFieldManager("agreement-suite").
			WithFieldValidation(metav1.FieldValidationStrict).
			Create(info.Namespace, true, info.Object)
		if err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("%s: %w", file, err)
		}
		return nil
	})
}
