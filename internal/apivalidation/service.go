package apivalidation

import (
	"k8s.io/apimachinery/pkg/runtime"
	api "k8s.io/kubernetes/pkg/apis/core"
)

// prepareForCreate does what a registry's BeginCreate hook does before the
// strategy runs, where the hook does not need cluster state.
//
// Service: the service REST storage first copies a lone spec.clusterIP into
// spec.clusterIPs (normalizeClusterIPs in pkg/registry/core/service/storage),
// then allocates IPs and node ports. The copy is repeated here; allocation
// depends on the cluster's service CIDRs and node port range, so a cluster
// IP outside the range or a taken node port is not reported (README).
func prepareForCreate(_ kindEntry, obj runtime.Object) {
	if svc, ok := obj.(*api.Service); ok {
		if svc.Spec.ClusterIP != "" && len(svc.Spec.ClusterIPs) == 0 {
			svc.Spec.ClusterIPs = []string{svc.Spec.ClusterIP}
		}
	}
}
