package deploy

import (
	"context"
	"fmt"
	"sort"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/client-go/kubernetes"

	"github.com/emmdev/emmdev/internal/podstatus"
)

// NotReady explains one workload that did not become available in time.
type NotReady struct {
	Workload Workload
	Reason   string     // why the workload itself is not available
	Pods     []PodIssue // its pods that are not ready
}

// PodIssue is one pod that is not ready: the diagnosis `emmdev status`
// shows, plus the pod's Ready condition when the containers look fine but
// the pod is still not Ready (node not ready, readiness gates).
type PodIssue struct {
	podstatus.Summary
	Condition string
}

// String is the line `up` prints for the pod.
func (p PodIssue) String() string {
	if p.Condition == "" {
		return p.Diagnosis()
	}
	return p.Diagnosis() + "; " + p.Condition
}

// WaitOptions tune Wait.
type WaitOptions struct {
	Timeout  time.Duration
	Interval time.Duration // polling interval, default 1s
	// OnReady, when set, is told when a workload becomes available (for -v).
	OnReady func(Workload)
}

// Wait polls until every workload is available or the timeout passes. On
// timeout it returns the workloads still not available, each with the
// diagnosis of its pods (the same one `emmdev status` shows). A cancelled
// ctx returns ctx.Err().
func Wait(ctx context.Context, kube kubernetes.Interface, workloads []Workload, opts WaitOptions) ([]NotReady, error) {
	interval := opts.Interval
	if interval == 0 {
		interval = time.Second
	}
	deadline := time.Now().Add(opts.Timeout)
	pending := append([]Workload(nil), workloads...)
	for {
		var still []Workload
		for _, w := range pending {
			ok, _, err := available(ctx, kube, w)
			if err != nil && ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if ok {
				if opts.OnReady != nil {
					opts.OnReady(w)
				}
				continue
			}
			still = append(still, w)
		}
		pending = still
		if len(pending) == 0 {
			return nil, nil
		}
		if !time.Now().Before(deadline) {
			break
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(interval):
		}
	}
	var out []NotReady
	for _, w := range pending {
		nr, err := diagnose(ctx, kube, w)
		if err != nil {
			return nil, err
		}
		out = append(out, nr)
	}
	return out, nil
}

// available applies kubectl rollout status's rules: the controller has seen
// the latest spec and every replica is updated and available/ready.
func available(ctx context.Context, kube kubernetes.Interface, w Workload) (bool, string, error) {
	switch w.Kind {
	case "Deployment":
		d, err := kube.AppsV1().Deployments(w.Namespace).Get(ctx, w.Name, metav1.GetOptions{})
		if err != nil {
			return false, err.Error(), err
		}
		return deploymentAvailable(d)
	case "StatefulSet":
		s, err := kube.AppsV1().StatefulSets(w.Namespace).Get(ctx, w.Name, metav1.GetOptions{})
		if err != nil {
			return false, err.Error(), err
		}
		return statefulSetReady(s)
	}
	return false, "", fmt.Errorf("cannot wait for %s", w)
}

func deploymentAvailable(d *appsv1.Deployment) (bool, string, error) {
	want := int32(1)
	if d.Spec.Replicas != nil {
		want = *d.Spec.Replicas
	}
	st := d.Status
	for _, c := range st.Conditions {
		if c.Type == appsv1.DeploymentReplicaFailure && c.Status == corev1.ConditionTrue {
			return false, c.Message, nil
		}
	}
	switch {
	case st.ObservedGeneration < d.Generation:
		return false, "controller has not seen the latest spec", nil
	case st.UpdatedReplicas < want:
		return false, fmt.Sprintf("%d of %d replicas updated", st.UpdatedReplicas, want), nil
	case st.Replicas > st.UpdatedReplicas:
		// The new pods are not available, so the old ones are kept running.
		return false, fmt.Sprintf("rollout not finished: %d old replicas still running, %d of %d new available",
			st.Replicas-st.UpdatedReplicas, max(0, st.AvailableReplicas-(st.Replicas-st.UpdatedReplicas)), want), nil
	case st.AvailableReplicas < want:
		return false, fmt.Sprintf("%d of %d replicas available", st.AvailableReplicas, want), nil
	}
	return true, "", nil
}

func statefulSetReady(s *appsv1.StatefulSet) (bool, string, error) {
	want := int32(1)
	if s.Spec.Replicas != nil {
		want = *s.Spec.Replicas
	}
	st := s.Status
	switch {
	case st.ObservedGeneration < s.Generation:
		return false, "controller has not seen the latest spec", nil
	case st.ReadyReplicas < want:
		return false, fmt.Sprintf("%d of %d replicas ready", st.ReadyReplicas, want), nil
	case st.UpdateRevision != "" && st.CurrentRevision != st.UpdateRevision:
		return false, "rolling update in progress", nil
	}
	return true, "", nil
}

func diagnose(ctx context.Context, kube kubernetes.Interface, w Workload) (NotReady, error) {
	_, reason, err := available(ctx, kube, w)
	nr := NotReady{Workload: w, Reason: reason}
	if err != nil {
		return nr, nil // the workload vanished: its reason says so
	}
	var sel *metav1.LabelSelector
	switch w.Kind {
	case "Deployment":
		d, err := kube.AppsV1().Deployments(w.Namespace).Get(ctx, w.Name, metav1.GetOptions{})
		if err != nil {
			return nr, nil // reason already says what is wrong
		}
		sel = d.Spec.Selector
	case "StatefulSet":
		s, err := kube.AppsV1().StatefulSets(w.Namespace).Get(ctx, w.Name, metav1.GetOptions{})
		if err != nil {
			return nr, nil // reason already says what is wrong
		}
		sel = s.Spec.Selector
	}
	selector, err := metav1.LabelSelectorAsSelector(sel)
	if err != nil {
		return nr, fmt.Errorf("%s: selector: %w", w, err)
	}
	pods, err := kube.CoreV1().Pods(w.Namespace).List(ctx, metav1.ListOptions{LabelSelector: selector.String()})
	if err != nil {
		return nr, fmt.Errorf("listing pods of %s: %w", w, err)
	}
	for i := range pods.Items {
		p := &pods.Items[i]
		evs, err := kube.CoreV1().Events(w.Namespace).List(ctx, metav1.ListOptions{
			FieldSelector: fields.AndSelectors(
				fields.OneTermEqualSelector("involvedObject.kind", "Pod"),
				fields.OneTermEqualSelector("involvedObject.name", p.Name),
				fields.OneTermEqualSelector("involvedObject.uid", string(p.UID)),
			).String(),
		})
		var events []corev1.Event
		if err == nil {
			events = evs.Items
		}
		s := podstatus.Summarize(p, events)
		cond := notReadyCondition(p)
		switch {
		case s.NotReady():
			nr.Pods = append(nr.Pods, PodIssue{Summary: s})
		case cond != "" && !s.Terminating:
			nr.Pods = append(nr.Pods, PodIssue{Summary: s, Condition: cond})
		}
	}
	sort.Slice(nr.Pods, func(i, j int) bool { return nr.Pods[i].Name < nr.Pods[j].Name })
	return nr, nil
}

// notReadyCondition describes a pod whose Ready condition is not True.
func notReadyCondition(p *corev1.Pod) string {
	for _, c := range p.Status.Conditions {
		if c.Type != corev1.PodReady || c.Status == corev1.ConditionTrue {
			continue
		}
		msg := "pod not Ready"
		if c.Reason != "" {
			msg += ": " + c.Reason
		}
		if c.Message != "" {
			msg += " (" + c.Message + ")"
		}
		return msg
	}
	return ""
}
