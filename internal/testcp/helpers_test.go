package testcp

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

func itoa(i int) string { return strconv.Itoa(i) }

func join(s []string) string { return strings.Join(s, ",") }

func keys(m map[string]bool) string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return join(out)
}

func intOrString(port int) intstr.IntOrString { return intstr.FromInt32(int32(port)) }

// describe summarises a pod's status for failure messages.
func describe(p *corev1.Pod) string {
	s := string(p.Status.Phase)
	for _, c := range p.Status.ContainerStatuses {
		s += fmt.Sprintf(" %s: restarts=%d ready=%v", c.Name, c.RestartCount, c.Ready)
		if w := c.State.Waiting; w != nil {
			s += " waiting=" + w.Reason
		}
		if c.State.Running != nil {
			s += " running"
		}
		if term := c.LastTerminationState.Terminated; term != nil {
			s += fmt.Sprintf(" last=%s/%d", term.Reason, term.ExitCode)
		}
	}
	return s
}
