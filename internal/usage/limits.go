package usage

import (
	corev1 "k8s.io/api/core/v1"
)

// NearLimit is the share of the memory limit above which a container is
// marked: past 90% the next spike is an OOM kill.
const NearLimit = 0.9

// Usage is one pod's (or one container's) usage against its limits.
type Usage struct {
	CPUMilli, MemBytes int64
	// CPULimitPct and MemLimitPct are usage as a percentage of the limit;
	// negative when there is no limit to compare with.
	CPULimitPct, MemLimitPct float64
	// NearMemLimit: above NearLimit of the memory limit (for a pod: in any
	// of its containers).
	NearMemLimit bool
}

// ContainerUsage is a container's usage with its name.
type ContainerUsage struct {
	Name string
	Usage
}

// Of relates a pod's metrics to the limits in its spec. The pod's
// percentage needs a limit on every container that reports usage (a
// container without one could take everything); otherwise it is -1.
func Of(pod *corev1.Pod, m Pod) (Usage, []ContainerUsage) {
	var total Usage
	var cpuLim, memLim int64
	cpuAll, memAll := true, true
	containers := make([]ContainerUsage, 0, len(m.Containers))
	for i := range pod.Spec.Containers {
		c := &pod.Spec.Containers[i]
		smp, ok := m.Containers[c.Name]
		if !ok {
			continue
		}
		cu := ContainerUsage{Name: c.Name, Usage: Usage{CPUMilli: smp.CPUMilli, MemBytes: smp.MemBytes, CPULimitPct: -1, MemLimitPct: -1}}
		if q, ok := c.Resources.Limits[corev1.ResourceCPU]; ok && q.MilliValue() > 0 {
			cu.CPULimitPct = pct(smp.CPUMilli, q.MilliValue())
			cpuLim += q.MilliValue()
		} else {
			cpuAll = false
		}
		if q, ok := c.Resources.Limits[corev1.ResourceMemory]; ok && q.Value() > 0 {
			cu.MemLimitPct = pct(smp.MemBytes, q.Value())
			cu.NearMemLimit = float64(smp.MemBytes) > NearLimit*float64(q.Value())
			memLim += q.Value()
		} else {
			memAll = false
		}
		total.CPUMilli += smp.CPUMilli
		total.MemBytes += smp.MemBytes
		total.NearMemLimit = total.NearMemLimit || cu.NearMemLimit
		containers = append(containers, cu)
	}
	total.CPULimitPct, total.MemLimitPct = -1, -1
	if len(containers) > 0 && cpuAll {
		total.CPULimitPct = pct(total.CPUMilli, cpuLim)
	}
	if len(containers) > 0 && memAll {
		total.MemLimitPct = pct(total.MemBytes, memLim)
	}
	return total, containers
}

func pct(v, limit int64) float64 { return float64(v) * 100 / float64(limit) }
