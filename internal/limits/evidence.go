package limits

import (
	"context"
	"regexp"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// Target is one workload to gather evidence for.
type Target struct {
	Namespace, Kind, Name string
	// Selector finds its pods; a bare Pod is found by Name.
	Selector   map[string]string
	Containers []string
}

// ContainerKey names one container of one workload.
type ContainerKey struct{ Namespace, Kind, Workload, Container string }

// Peak is the evidence about one container: the highest memory working set
// and CPU use seen, and how many readings they rest on.
type Peak struct {
	MemBytes, CPUMilli int64
	Samples            int
}

// Evidence gathers peaks for targets.
type Evidence interface {
	Peaks(ctx context.Context, targets []Target) (map[ContainerKey]Peak, error)
	// Source says where the numbers come from, for the report.
	Source() string
}

// matches reports whether a pod with these labels and name belongs to t.
func (t Target) matches(name string, labels map[string]string) bool {
	if t.Kind == "Pod" {
		return name == t.Name
	}
	if len(t.Selector) == 0 {
		return false
	}
	for k, v := range t.Selector {
		if labels[k] != v {
			return false
		}
	}
	return true
}

// podNamePattern is the regular expression (RE2, anchored by PromQL) of the
// names the controllers give the pods of t: history in Prometheus outlives
// the pods, so only the names tie old series to the workload.
func (t Target) podNamePattern() string {
	n := regexp.QuoteMeta(t.Name)
	switch t.Kind {
	case "Deployment":
		return n + "-[a-z0-9]+-[a-z0-9]+" // <name>-<template hash>-<random>
	case "StatefulSet":
		return n + "-[0-9]+"
	case "CronJob":
		return n + "-[0-9]+-[a-z0-9]+"
	case "Pod":
		return n
	}
	return n + "-[a-z0-9]+" // DaemonSet, ReplicaSet, Job
}

func (t Target) containerPattern() string {
	quoted := make([]string, len(t.Containers))
	for i, c := range t.Containers {
		quoted[i] = regexp.QuoteMeta(c)
	}
	return strings.Join(quoted, "|")
}

// PodOf reports whether pod belongs to t.
func PodOf(t Target, pod *corev1.Pod) bool { return t.matches(pod.Name, pod.Labels) }
