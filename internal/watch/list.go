package watch

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// podEventSelector keeps the event stream to pod events; label selectors
// cannot apply to events, so other pods' events are dropped when joining.
const podEventSelector = "involvedObject.kind=Pod"

// List reads pods and their events once (for --once and -o json). A
// forbidden pod list is a *ForbiddenError; forbidden events are tolerated
// (the probe-failure causes are then missing, nothing else).
func List(ctx context.Context, client kubernetes.Interface, ns, selector string) ([]Pod, error) {
	pods, err := client.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: selector})
	if err != nil {
		if apierrors.IsForbidden(err) {
			return nil, &ForbiddenError{Verb: "list", Resource: "pods", Namespace: ns, Err: err}
		}
		return nil, fmt.Errorf("list pods: %w", err)
	}
	events := map[string][]corev1.Event{}
	evl, err := client.CoreV1().Events(ns).List(ctx, metav1.ListOptions{FieldSelector: podEventSelector})
	switch {
	case err == nil:
		for _, e := range evl.Items {
			k := e.InvolvedObject.Namespace + "/" + e.InvolvedObject.Name
			events[k] = append(events[k], e)
		}
	case apierrors.IsForbidden(err):
	default:
		return nil, fmt.Errorf("list events: %w", err)
	}
	ptrs := make([]*corev1.Pod, len(pods.Items))
	for i := range pods.Items {
		ptrs[i] = &pods.Items[i]
	}
	return BuildPods(ptrs, events), nil
}
