package apivalidation

import (
	"fmt"
	"sync"
	"sync/atomic"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/kubernetes/pkg/api/legacyscheme"
	"k8s.io/kubernetes/pkg/capabilities"

	"k8s.io/kubernetes/pkg/apis/admissionregistration"
	admissionregistrationv1 "k8s.io/kubernetes/pkg/apis/admissionregistration/v1"
	admissionregistrationv1alpha1 "k8s.io/kubernetes/pkg/apis/admissionregistration/v1alpha1"
	admissionregistrationv1beta1 "k8s.io/kubernetes/pkg/apis/admissionregistration/v1beta1"
	"k8s.io/kubernetes/pkg/apis/apps"
	appsv1 "k8s.io/kubernetes/pkg/apis/apps/v1"
	appsv1beta1 "k8s.io/kubernetes/pkg/apis/apps/v1beta1"
	appsv1beta2 "k8s.io/kubernetes/pkg/apis/apps/v1beta2"
	"k8s.io/kubernetes/pkg/apis/autoscaling"
	autoscalingv1 "k8s.io/kubernetes/pkg/apis/autoscaling/v1"
	autoscalingv2 "k8s.io/kubernetes/pkg/apis/autoscaling/v2"
	"k8s.io/kubernetes/pkg/apis/batch"
	batchv1 "k8s.io/kubernetes/pkg/apis/batch/v1"
	batchv1beta1 "k8s.io/kubernetes/pkg/apis/batch/v1beta1"
	"k8s.io/kubernetes/pkg/apis/certificates"
	certificatesv1 "k8s.io/kubernetes/pkg/apis/certificates/v1"
	certificatesv1alpha1 "k8s.io/kubernetes/pkg/apis/certificates/v1alpha1"
	certificatesv1beta1 "k8s.io/kubernetes/pkg/apis/certificates/v1beta1"
	"k8s.io/kubernetes/pkg/apis/coordination"
	coordinationv1 "k8s.io/kubernetes/pkg/apis/coordination/v1"
	coordinationv1alpha2 "k8s.io/kubernetes/pkg/apis/coordination/v1alpha2"
	coordinationv1beta1 "k8s.io/kubernetes/pkg/apis/coordination/v1beta1"
	"k8s.io/kubernetes/pkg/apis/core"
	corev1 "k8s.io/kubernetes/pkg/apis/core/v1"
	"k8s.io/kubernetes/pkg/apis/discovery"
	discoveryv1 "k8s.io/kubernetes/pkg/apis/discovery/v1"
	discoveryv1beta1 "k8s.io/kubernetes/pkg/apis/discovery/v1beta1"
	"k8s.io/kubernetes/pkg/apis/events"
	eventsv1 "k8s.io/kubernetes/pkg/apis/events/v1"
	eventsv1beta1 "k8s.io/kubernetes/pkg/apis/events/v1beta1"
	"k8s.io/kubernetes/pkg/apis/flowcontrol"
	flowcontrolv1 "k8s.io/kubernetes/pkg/apis/flowcontrol/v1"
	flowcontrolv1beta1 "k8s.io/kubernetes/pkg/apis/flowcontrol/v1beta1"
	flowcontrolv1beta2 "k8s.io/kubernetes/pkg/apis/flowcontrol/v1beta2"
	flowcontrolv1beta3 "k8s.io/kubernetes/pkg/apis/flowcontrol/v1beta3"
	"k8s.io/kubernetes/pkg/apis/networking"
	networkingv1 "k8s.io/kubernetes/pkg/apis/networking/v1"
	networkingv1beta1 "k8s.io/kubernetes/pkg/apis/networking/v1beta1"
	"k8s.io/kubernetes/pkg/apis/node"
	nodev1 "k8s.io/kubernetes/pkg/apis/node/v1"
	nodev1alpha1 "k8s.io/kubernetes/pkg/apis/node/v1alpha1"
	nodev1beta1 "k8s.io/kubernetes/pkg/apis/node/v1beta1"
	"k8s.io/kubernetes/pkg/apis/policy"
	policyv1 "k8s.io/kubernetes/pkg/apis/policy/v1"
	policyv1beta1 "k8s.io/kubernetes/pkg/apis/policy/v1beta1"
	"k8s.io/kubernetes/pkg/apis/rbac"
	rbacv1 "k8s.io/kubernetes/pkg/apis/rbac/v1"
	rbacv1alpha1 "k8s.io/kubernetes/pkg/apis/rbac/v1alpha1"
	rbacv1beta1 "k8s.io/kubernetes/pkg/apis/rbac/v1beta1"
	"k8s.io/kubernetes/pkg/apis/resource"
	resourcev1 "k8s.io/kubernetes/pkg/apis/resource/v1"
	resourcev1alpha3 "k8s.io/kubernetes/pkg/apis/resource/v1alpha3"
	resourcev1beta1 "k8s.io/kubernetes/pkg/apis/resource/v1beta1"
	resourcev1beta2 "k8s.io/kubernetes/pkg/apis/resource/v1beta2"
	"k8s.io/kubernetes/pkg/apis/scheduling"
	schedulingv1 "k8s.io/kubernetes/pkg/apis/scheduling/v1"
	schedulingv1alpha3 "k8s.io/kubernetes/pkg/apis/scheduling/v1alpha3"
	schedulingv1beta1 "k8s.io/kubernetes/pkg/apis/scheduling/v1beta1"
	"k8s.io/kubernetes/pkg/apis/storage"
	storagev1 "k8s.io/kubernetes/pkg/apis/storage/v1"
	storagev1alpha1 "k8s.io/kubernetes/pkg/apis/storage/v1alpha1"
	storagev1beta1 "k8s.io/kubernetes/pkg/apis/storage/v1beta1"
	"k8s.io/kubernetes/pkg/apis/storagemigration"
	storagemigrationv1 "k8s.io/kubernetes/pkg/apis/storagemigration/v1"
	storagemigrationv1beta1 "k8s.io/kubernetes/pkg/apis/storagemigration/v1beta1"
)

// group is what a k8s.io/kubernetes/pkg/apis/<group>/install package
// registers: the internal types, every version (types, conversions,
// defaults, declarative validations), and the version priority.
type group struct {
	add      []func(*runtime.Scheme) error // internal first
	priority []schema.GroupVersion
}

// name is the API group (priority[0]'s).
func (g group) name() string { return g.priority[0].Group }

// groups mirrors the install packages. They are not imported because each
// registers itself in an init(), which every emmdev command would then pay
// for at start-up; here the registration runs on first use only.
func groups() []group {
	return []group{
		{[]func(*runtime.Scheme) error{core.AddToScheme, corev1.AddToScheme},
			[]schema.GroupVersion{corev1.SchemeGroupVersion}},
		{[]func(*runtime.Scheme) error{apps.AddToScheme, appsv1beta1.AddToScheme, appsv1beta2.AddToScheme, appsv1.AddToScheme},
			[]schema.GroupVersion{appsv1.SchemeGroupVersion, appsv1beta2.SchemeGroupVersion, appsv1beta1.SchemeGroupVersion}},
		{[]func(*runtime.Scheme) error{batch.AddToScheme, batchv1.AddToScheme, batchv1beta1.AddToScheme},
			[]schema.GroupVersion{batchv1.SchemeGroupVersion, batchv1beta1.SchemeGroupVersion}},
		{[]func(*runtime.Scheme) error{autoscaling.AddToScheme, autoscalingv2.AddToScheme, autoscalingv1.AddToScheme},
			[]schema.GroupVersion{autoscalingv2.SchemeGroupVersion, autoscalingv1.SchemeGroupVersion}},
		{[]func(*runtime.Scheme) error{networking.AddToScheme, networkingv1.AddToScheme, networkingv1beta1.AddToScheme},
			[]schema.GroupVersion{networkingv1.SchemeGroupVersion, networkingv1beta1.SchemeGroupVersion}},
		{[]func(*runtime.Scheme) error{policy.AddToScheme, policyv1beta1.AddToScheme, policyv1.AddToScheme},
			[]schema.GroupVersion{policyv1.SchemeGroupVersion, policyv1beta1.SchemeGroupVersion}},
		{[]func(*runtime.Scheme) error{rbac.AddToScheme, rbacv1.AddToScheme, rbacv1beta1.AddToScheme, rbacv1alpha1.AddToScheme},
			[]schema.GroupVersion{rbacv1.SchemeGroupVersion, rbacv1beta1.SchemeGroupVersion, rbacv1alpha1.SchemeGroupVersion}},
		{[]func(*runtime.Scheme) error{storage.AddToScheme, storagev1.AddToScheme, storagev1beta1.AddToScheme, storagev1alpha1.AddToScheme},
			[]schema.GroupVersion{storagev1.SchemeGroupVersion, storagev1beta1.SchemeGroupVersion, storagev1alpha1.SchemeGroupVersion}},
		{[]func(*runtime.Scheme) error{scheduling.AddToScheme, schedulingv1.AddToScheme, schedulingv1beta1.AddToScheme, schedulingv1alpha3.AddToScheme},
			[]schema.GroupVersion{schedulingv1.SchemeGroupVersion, schedulingv1beta1.SchemeGroupVersion, schedulingv1alpha3.SchemeGroupVersion}},
		{[]func(*runtime.Scheme) error{coordination.AddToScheme, coordinationv1alpha2.AddToScheme, coordinationv1beta1.AddToScheme, coordinationv1.AddToScheme},
			[]schema.GroupVersion{coordinationv1.SchemeGroupVersion, coordinationv1beta1.SchemeGroupVersion, coordinationv1alpha2.SchemeGroupVersion}},
		{[]func(*runtime.Scheme) error{discovery.AddToScheme, discoveryv1beta1.AddToScheme, discoveryv1.AddToScheme},
			[]schema.GroupVersion{discoveryv1.SchemeGroupVersion, discoveryv1beta1.SchemeGroupVersion}},
		{[]func(*runtime.Scheme) error{admissionregistration.AddToScheme, admissionregistrationv1beta1.AddToScheme, admissionregistrationv1alpha1.AddToScheme, admissionregistrationv1.AddToScheme},
			[]schema.GroupVersion{admissionregistrationv1.SchemeGroupVersion, admissionregistrationv1beta1.SchemeGroupVersion, admissionregistrationv1alpha1.SchemeGroupVersion}},
		{[]func(*runtime.Scheme) error{certificates.AddToScheme, certificatesv1.AddToScheme, certificatesv1beta1.AddToScheme, certificatesv1alpha1.AddToScheme},
			[]schema.GroupVersion{certificatesv1.SchemeGroupVersion, certificatesv1beta1.SchemeGroupVersion, certificatesv1alpha1.SchemeGroupVersion}},
		{[]func(*runtime.Scheme) error{node.AddToScheme, nodev1alpha1.AddToScheme, nodev1beta1.AddToScheme, nodev1.AddToScheme},
			[]schema.GroupVersion{nodev1.SchemeGroupVersion, nodev1beta1.SchemeGroupVersion}},
		{[]func(*runtime.Scheme) error{flowcontrol.AddToScheme, flowcontrolv1beta1.AddToScheme, flowcontrolv1beta2.AddToScheme, flowcontrolv1beta3.AddToScheme, flowcontrolv1.AddToScheme},
			[]schema.GroupVersion{flowcontrolv1.SchemeGroupVersion, flowcontrolv1beta3.SchemeGroupVersion, flowcontrolv1beta2.SchemeGroupVersion, flowcontrolv1beta1.SchemeGroupVersion}},
		{[]func(*runtime.Scheme) error{events.AddToScheme, eventsv1beta1.AddToScheme, eventsv1.AddToScheme},
			[]schema.GroupVersion{eventsv1.SchemeGroupVersion, eventsv1beta1.SchemeGroupVersion}},
		{[]func(*runtime.Scheme) error{resource.AddToScheme, resourcev1alpha3.AddToScheme, resourcev1beta1.AddToScheme, resourcev1beta2.AddToScheme, resourcev1.AddToScheme},
			[]schema.GroupVersion{resourcev1.SchemeGroupVersion, resourcev1beta2.SchemeGroupVersion, resourcev1beta1.SchemeGroupVersion, resourcev1alpha3.SchemeGroupVersion}},
		{[]func(*runtime.Scheme) error{storagemigration.AddToScheme, storagemigrationv1beta1.AddToScheme, storagemigrationv1.AddToScheme},
			[]schema.GroupVersion{storagemigrationv1.SchemeGroupVersion, storagemigrationv1beta1.SchemeGroupVersion}},
	}
}

// legacyscheme.Scheme is the process-wide scheme the registry strategies
// are hard-wired to (their declarative validation and type lookups use it).
// It is filled one API group at a time, on the first object of that group,
// so a pre-commit run over one Deployment registers two groups, not twenty.
// These two variables are the package's only state, because the scheme
// they guard is Kubernetes' own global: schemeMu is held for reading by
// every validation and for writing by a registration, so no validation
// reads the scheme while a group is being added.
var (
	schemeMu sync.RWMutex
	install  = newInstaller()
	// allRegistered is set once RegisterAll has run: from then on nothing
	// writes the scheme.
	allRegistered atomic.Bool
)

// RegisterAll registers every built-in API group in legacyscheme. Code
// that reads legacyscheme without this package's lock (the admission CEL
// libraries internal/celpolicy drives) calls it first: once every group is
// registered no registration writes the scheme again, so those reads never
// race one. It is not done at start-up, so commands that need no scheme
// (status, seal, version) do not pay for it.
func RegisterAll() error {
	if allRegistered.Load() {
		return nil
	}
	schemeMu.Lock()
	defer schemeMu.Unlock()
	if err := install.group(""); err != nil {
		return err
	}
	for name := range install.byName {
		if err := install.group(name); err != nil {
			return err
		}
	}
	allRegistered.Store(true)
	return nil
}

type installer struct {
	byName map[string]group
	done   map[string]error
}

func newInstaller() *installer {
	in := &installer{byName: map[string]group{}, done: map[string]error{}}
	for _, g := range groups() {
		in.byName[g.name()] = g
	}
	return in
}

// rlockGroup read-locks the scheme with the API group (and core, which
// every group's types refer to) registered.
func rlockGroup(name string) error {
	schemeMu.RLock()
	err, ok := install.done[name]
	if ok {
		if err != nil {
			schemeMu.RUnlock()
		}
		return err
	}
	schemeMu.RUnlock()
	schemeMu.Lock()
	err = install.group("")
	if err == nil {
		err = install.group(name)
	}
	schemeMu.Unlock()
	if err != nil {
		return err
	}
	schemeMu.RLock()
	return nil
}

// group registers one API group; the caller holds schemeMu for writing.
func (in *installer) group(name string) error {
	if err, ok := in.done[name]; ok {
		return err
	}
	if len(in.done) == 0 {
		// kube-apiserver's --allow-privileged, which the pod validation
		// reads from this process-wide setting: true as kubeadm, kind and
		// the test control plane run it (the library default would forbid
		// every privileged container).
		capabilities.Setup(true, 0)
	}
	g, ok := in.byName[name]
	if !ok {
		in.done[name] = fmt.Errorf("API group %q is not built in", name)
		return in.done[name]
	}
	var err error
	for _, add := range g.add {
		if err = add(legacyscheme.Scheme); err != nil {
			break
		}
	}
	if err == nil {
		err = legacyscheme.Scheme.SetVersionPriority(g.priority...)
	}
	in.done[name] = err
	return err
}
