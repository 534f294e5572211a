package apivalidation

import (
	"fmt"

	"context"
	"errors"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/registry/rest"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"

	"k8s.io/kubernetes/pkg/registry/admissionregistration/mutatingadmissionpolicy"
	"k8s.io/kubernetes/pkg/registry/admissionregistration/mutatingadmissionpolicybinding"
	"k8s.io/kubernetes/pkg/registry/admissionregistration/mutatingwebhookconfiguration"
	"k8s.io/kubernetes/pkg/registry/admissionregistration/validatingadmissionpolicy"
	"k8s.io/kubernetes/pkg/registry/admissionregistration/validatingadmissionpolicybinding"
	"k8s.io/kubernetes/pkg/registry/admissionregistration/validatingwebhookconfiguration"
	"k8s.io/kubernetes/pkg/registry/apps/controllerrevision"
	"k8s.io/kubernetes/pkg/registry/apps/daemonset"
	"k8s.io/kubernetes/pkg/registry/apps/deployment"
	"k8s.io/kubernetes/pkg/registry/apps/replicaset"
	"k8s.io/kubernetes/pkg/registry/apps/statefulset"
	"k8s.io/kubernetes/pkg/registry/autoscaling/horizontalpodautoscaler"
	"k8s.io/kubernetes/pkg/registry/batch/cronjob"
	"k8s.io/kubernetes/pkg/registry/batch/job"
	"k8s.io/kubernetes/pkg/registry/certificates/certificates"
	"k8s.io/kubernetes/pkg/registry/certificates/clustertrustbundle"
	"k8s.io/kubernetes/pkg/registry/certificates/podcertificaterequest"
	"k8s.io/kubernetes/pkg/registry/coordination/lease"
	"k8s.io/kubernetes/pkg/registry/core/configmap"
	"k8s.io/kubernetes/pkg/registry/core/event"
	"k8s.io/kubernetes/pkg/registry/core/limitrange"
	"k8s.io/kubernetes/pkg/registry/core/namespace"
	corenode "k8s.io/kubernetes/pkg/registry/core/node"
	"k8s.io/kubernetes/pkg/registry/core/persistentvolume"
	"k8s.io/kubernetes/pkg/registry/core/persistentvolumeclaim"
	"k8s.io/kubernetes/pkg/registry/core/pod"
	"k8s.io/kubernetes/pkg/registry/core/podtemplate"
	"k8s.io/kubernetes/pkg/registry/core/replicationcontroller"
	"k8s.io/kubernetes/pkg/registry/core/resourcequota"
	"k8s.io/kubernetes/pkg/registry/core/secret"
	"k8s.io/kubernetes/pkg/registry/core/service"
	"k8s.io/kubernetes/pkg/registry/core/serviceaccount"
	"k8s.io/kubernetes/pkg/registry/flowcontrol/flowschema"
	"k8s.io/kubernetes/pkg/registry/flowcontrol/prioritylevelconfiguration"
	"k8s.io/kubernetes/pkg/registry/networking/ingress"
	"k8s.io/kubernetes/pkg/registry/networking/ingressclass"
	"k8s.io/kubernetes/pkg/registry/networking/ipaddress"
	"k8s.io/kubernetes/pkg/registry/networking/networkpolicy"
	"k8s.io/kubernetes/pkg/registry/networking/servicecidr"
	"k8s.io/kubernetes/pkg/registry/node/runtimeclass"
	"k8s.io/kubernetes/pkg/registry/policy/poddisruptionbudget"
	"k8s.io/kubernetes/pkg/registry/rbac/clusterrole"
	"k8s.io/kubernetes/pkg/registry/rbac/clusterrolebinding"
	"k8s.io/kubernetes/pkg/registry/rbac/role"
	"k8s.io/kubernetes/pkg/registry/rbac/rolebinding"
	"k8s.io/kubernetes/pkg/registry/resource/deviceclass"
	"k8s.io/kubernetes/pkg/registry/resource/resourceclaim"
	"k8s.io/kubernetes/pkg/registry/resource/resourceclaimtemplate"
	"k8s.io/kubernetes/pkg/registry/resource/resourceslice"
	"k8s.io/kubernetes/pkg/registry/scheduling/priorityclass"
	"k8s.io/kubernetes/pkg/registry/storage/csidriver"
	"k8s.io/kubernetes/pkg/registry/storage/csinode"
	"k8s.io/kubernetes/pkg/registry/storage/csistoragecapacity"
	"k8s.io/kubernetes/pkg/registry/storage/storageclass"
	"k8s.io/kubernetes/pkg/registry/storage/volumeattachment"
	"k8s.io/kubernetes/pkg/registry/storage/volumeattributesclass"
	"k8s.io/kubernetes/pkg/registry/storagemigration/storagemigration"
)

// kindEntry is the API server's create strategy for one kind and the
// resource it is served as (the request info the strategy reads).
type kindEntry struct {
	strategy rest.RESTCreateStrategy
	resource string
}

// errClusterState marks the answer of a stub standing in for a lookup the
// API server makes in the cluster (a namespace's labels): such a check
// cannot be decided offline, so its errors are not reported.
var errClusterState = errors.New("emmdev: needs cluster state")

// noNamespaces answers the DRA strategies' namespace lookups (admin access
// needs a label on the namespace) without a cluster.
type noNamespaces struct {
	corev1client.NamespaceInterface
}

func (noNamespaces) Get(context.Context, string, metav1.GetOptions) (*corev1.Namespace, error) {
	return nil, errClusterState
}

// kinds lists every built-in kind a manifest can create in a version the
// API server serves by default, with the create strategy of its registry
// (k8s.io/kubernetes/pkg/registry/...). Kinds that only exist as requests
// (reviews, Binding, Eviction, TokenRequest) or only in alpha and beta
// versions (LeaseCandidate, Workload) are left to the schema check.
// noResolver stands in for the server's REST mapper in the binding
// strategies: a binding with a paramRef is authorized only when an
// authorizer is set (none is: who applies is not known offline), but the
// strategy refuses to get that far without a resolver.
type offlineResolver struct{}

func (offlineResolver) Resolve(gvk schema.GroupVersionKind) (schema.GroupVersionResource, error) {
	return schema.GroupVersionResource{}, fmt.Errorf("%s: the resource of a paramKind is not resolved offline", gvk)
}

func kinds() map[schema.GroupKind]kindEntry {
	gk := func(group, kind string) schema.GroupKind { return schema.GroupKind{Group: group, Kind: kind} }
	const (
		admission = "admissionregistration.k8s.io"
		certs     = "certificates.k8s.io"
		coord     = "coordination.k8s.io"
		flow      = "flowcontrol.apiserver.k8s.io"
		netw      = "networking.k8s.io"
		rbacg     = "rbac.authorization.k8s.io"
		res       = "resource.k8s.io"
		sched     = "scheduling.k8s.io"
		stor      = "storage.k8s.io"
	)
	return map[schema.GroupKind]kindEntry{
		gk("", "ConfigMap"):             {configmap.Strategy, "configmaps"},
		gk("", "Endpoints"):             {newEndpointsStrategy(), "endpoints"},
		gk("", "Event"):                 {event.Strategy, "events"},
		gk("", "LimitRange"):            {limitrange.Strategy, "limitranges"},
		gk("", "Namespace"):             {namespace.Strategy, "namespaces"},
		gk("", "Node"):                  {corenode.Strategy, "nodes"},
		gk("", "PersistentVolume"):      {persistentvolume.Strategy, "persistentvolumes"},
		gk("", "PersistentVolumeClaim"): {persistentvolumeclaim.Strategy, "persistentvolumeclaims"},
		gk("", "Pod"):                   {pod.Strategy, "pods"},
		gk("", "PodTemplate"):           {podtemplate.Strategy, "podtemplates"},
		gk("", "ReplicationController"): {replicationcontroller.Strategy, "replicationcontrollers"},
		gk("", "ResourceQuota"):         {resourcequota.Strategy, "resourcequotas"},
		gk("", "Secret"):                {secret.Strategy, "secrets"},
		gk("", "Service"):               {service.Strategy, "services"},
		gk("", "ServiceAccount"):        {serviceaccount.Strategy, "serviceaccounts"},

		gk("apps", "ControllerRevision"): {controllerrevision.Strategy, "controllerrevisions"},
		gk("apps", "DaemonSet"):          {daemonset.Strategy, "daemonsets"},
		gk("apps", "Deployment"):         {deployment.Strategy, "deployments"},
		gk("apps", "ReplicaSet"):         {replicaset.Strategy, "replicasets"},
		gk("apps", "StatefulSet"):        {statefulset.Strategy, "statefulsets"},

		gk("batch", "Job"):     {job.Strategy, "jobs"},
		gk("batch", "CronJob"): {cronjob.Strategy, "cronjobs"},

		gk("autoscaling", "HorizontalPodAutoscaler"): {horizontalpodautoscaler.Strategy, "horizontalpodautoscalers"},

		gk(netw, "Ingress"):       {ingress.Strategy, "ingresses"},
		gk(netw, "IngressClass"):  {ingressclass.Strategy, "ingressclasses"},
		gk(netw, "NetworkPolicy"): {networkpolicy.Strategy, "networkpolicies"},
		gk(netw, "IPAddress"):     {ipaddress.Strategy, "ipaddresses"},
		gk(netw, "ServiceCIDR"):   {servicecidr.Strategy, "servicecidrs"},

		gk("policy", "PodDisruptionBudget"): {poddisruptionbudget.Strategy, "poddisruptionbudgets"},

		gk(rbacg, "Role"):               {role.Strategy, "roles"},
		gk(rbacg, "RoleBinding"):        {rolebinding.Strategy, "rolebindings"},
		gk(rbacg, "ClusterRole"):        {clusterrole.Strategy, "clusterroles"},
		gk(rbacg, "ClusterRoleBinding"): {clusterrolebinding.Strategy, "clusterrolebindings"},

		gk(stor, "StorageClass"):          {storageclass.Strategy, "storageclasses"},
		gk(stor, "VolumeAttachment"):      {volumeattachment.Strategy, "volumeattachments"},
		gk(stor, "CSIDriver"):             {csidriver.Strategy, "csidrivers"},
		gk(stor, "CSINode"):               {csinode.Strategy, "csinodes"},
		gk(stor, "CSIStorageCapacity"):    {csistoragecapacity.Strategy, "csistoragecapacities"},
		gk(stor, "VolumeAttributesClass"): {volumeattributesclass.Strategy, "volumeattributesclasses"},

		gk(sched, "PriorityClass"): {priorityclass.Strategy, "priorityclasses"},

		gk(coord, "Lease"): {lease.Strategy, "leases"},

		gk("discovery.k8s.io", "EndpointSlice"): {newEndpointSliceStrategy(), "endpointslices"},

		gk(admission, "ValidatingWebhookConfiguration"): {validatingwebhookconfiguration.Strategy, "validatingwebhookconfigurations"},
		gk(admission, "MutatingWebhookConfiguration"):   {mutatingwebhookconfiguration.Strategy, "mutatingwebhookconfigurations"},
		// No authorizer: the paramKind read check is an RBAC question
		// about the user applying, which is not known offline.
		gk(admission, "ValidatingAdmissionPolicy"):        {validatingadmissionpolicy.NewStrategy(nil, nil), "validatingadmissionpolicies"},
		gk(admission, "ValidatingAdmissionPolicyBinding"): {validatingadmissionpolicybinding.NewStrategy(nil, nil, offlineResolver{}), "validatingadmissionpolicybindings"},
		gk(admission, "MutatingAdmissionPolicy"):          {mutatingadmissionpolicy.NewStrategy(nil, nil), "mutatingadmissionpolicies"},
		gk(admission, "MutatingAdmissionPolicyBinding"):   {mutatingadmissionpolicybinding.NewStrategy(nil, nil, offlineResolver{}), "mutatingadmissionpolicybindings"},

		gk(certs, "CertificateSigningRequest"): {certificates.Strategy, "certificatesigningrequests"},
		gk(certs, "ClusterTrustBundle"):        {clustertrustbundle.Strategy, "clustertrustbundles"},
		gk(certs, "PodCertificateRequest"):     {podcertificaterequest.NewStrategy(), "podcertificaterequests"},

		gk("node.k8s.io", "RuntimeClass"): {runtimeclass.Strategy, "runtimeclasses"},

		gk(flow, "FlowSchema"):                 {flowschema.Strategy, "flowschemas"},
		gk(flow, "PriorityLevelConfiguration"): {prioritylevelconfiguration.Strategy, "prioritylevelconfigurations"},

		gk("events.k8s.io", "Event"): {event.Strategy, "events"},

		gk(res, "DeviceClass"):           {deviceclass.Strategy, "deviceclasses"},
		gk(res, "ResourceSlice"):         {resourceslice.Strategy, "resourceslices"},
		gk(res, "ResourceClaim"):         {resourceclaim.NewStrategy(noNamespaces{}, nil), "resourceclaims"},
		gk(res, "ResourceClaimTemplate"): {resourceclaimtemplate.NewStrategy(noNamespaces{}), "resourceclaimtemplates"},

		gk("storagemigration.k8s.io", "StorageVersionMigration"): {storagemigration.Strategy, "storageversionmigrations"},
	}
}
