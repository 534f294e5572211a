package rules

import "strings"

// HPATarget reports the Deployment an autoscaling HorizontalPodAutoscaler
// scales and its maxReplicas, so the rollout rule knows the replica count
// may grow.
func HPATarget(apiVersion, kind string, obj map[string]any) (ns, name string, max int64, ok bool) {
	if kind != "HorizontalPodAutoscaler" || !strings.HasPrefix(apiVersion, "autoscaling/") {
		return "", "", 0, false
	}
	if k, _ := dig(obj, "spec", "scaleTargetRef", "kind").(string); k != "Deployment" {
		return "", "", 0, false
	}
	name, _ = dig(obj, "spec", "scaleTargetRef", "name").(string)
	ns, _ = dig(obj, "metadata", "namespace").(string)
	max, _ = asInt(dig(obj, "spec", "maxReplicas"))
	return ns, name, max, name != ""
}

// AddHPA records that an HPA scales Deployment ns/name up to max replicas.
func (x *Index) AddHPA(ns, name string, max int64) {
	if x.hpas == nil {
		x.hpas = map[string]int64{}
	}
	if max > x.hpas[ns+"/"+name] {
		x.hpas[ns+"/"+name] = max
	} else if _, has := x.hpas[ns+"/"+name]; !has {
		x.hpas[ns+"/"+name] = max
	}
}

// HPAMax reports whether an HPA scales Deployment ns/name, and its
// maxReplicas. A side without a namespace matches any, as for Secrets.
func (x *Index) HPAMax(ns, name string) (int64, bool) {
	var best int64
	found := false
	for k, v := range x.hpas {
		kns, kname, _ := strings.Cut(k, "/")
		if kname == name && (kns == ns || kns == "" || ns == "") {
			found = true
			best = max(best, v)
		}
	}
	return best, found
}
