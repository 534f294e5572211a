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

// PodTotal relates a pod's metrics to the limits in its spec. The pod's
// percentage needs a limit on every container that reports usage (a
// container without one could take everything); otherwise it is -1. The
// mark is per container: one container near its limit is an OOM kill
// waiting to happen even when the pod as a whole is not.
func PodTotal(pod *corev1.Pod, m Pod) Usage {
	total := Usage{CPULimitPct: -1, MemLimitPct: -1}
	var cpuLim, memLim int64
	cpuAll, memAll, seen := true, true, false
	for i := range pod.Spec.Containers {
		c := &pod.Spec.Containers[i]
		smp, ok := m.Containers[c.Name]
		if !ok {
			continue
		}
		seen = true
		cu := container(c, smp)
		if cu.CPULimitPct < 0 {
			cpuAll = false
		} else {
			cpuLim += c.Resources.Limits.Cpu().MilliValue()
		}
		if cu.MemLimitPct < 0 {
			memAll = false
		} else {
			memLim += c.Resources.Limits.Memory().Value()
		}
		total.CPUMilli += smp.CPUMilli
		total.MemBytes += smp.MemBytes
		total.NearMemLimit = total.NearMemLimit || cu.NearMemLimit
	}
	if seen && cpuAll {
		total.CPULimitPct = pct(total.CPUMilli, cpuLim)
	}
	if seen && memAll {
		total.MemLimitPct = pct(total.MemBytes, memLim)
	}
	return total
}

// PerContainer is the usage of each container of the pod that reports
// any, in spec order.
func PerContainer(pod *corev1.Pod, m Pod) []ContainerUsage {
	out := make([]ContainerUsage, 0, len(m.Containers))
	for i := range pod.Spec.Containers {
		c := &pod.Spec.Containers[i]
		if smp, ok := m.Containers[c.Name]; ok {
			out = append(out, ContainerUsage{Name: c.Name, Usage: container(c, smp)})
		}
	}
	return out
}

func container(c *corev1.Container, smp Sample) Usage {
	u := Usage{CPUMilli: smp.CPUMilli, MemBytes: smp.MemBytes, CPULimitPct: -1, MemLimitPct: -1}
	if q, ok := c.Resources.Limits[corev1.ResourceCPU]; ok && q.MilliValue() > 0 {
		u.CPULimitPct = pct(smp.CPUMilli, q.MilliValue())
	}
	if q, ok := c.Resources.Limits[corev1.ResourceMemory]; ok && q.Value() > 0 {
		u.MemLimitPct = pct(smp.MemBytes, q.Value())
		u.NearMemLimit = float64(smp.MemBytes) > NearLimit*float64(q.Value())
	}
	return u
}

func pct(v, limit int64) float64 { return float64(v) * 100 / float64(limit) }
