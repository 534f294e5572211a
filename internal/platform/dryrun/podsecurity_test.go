package dryrun

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/emmdev/emmdev/internal/platform"
	"github.com/emmdev/emmdev/internal/testcp"
	"github.com/emmdev/emmdev/internal/testenv"
)

// The production overlay labels agentic-ai with the restricted Pod Security
// Standard. Deployments are only warned about; the pods they create are
// rejected. So each workload's pod is dry-run created, as its controller
// would create it, in a namespace enforcing "restricted".
func TestProductionPodsMeetRestrictedPodSecurity(t *testing.T) {
	cp := testcp.Get(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ns := cp.Namespace(t)
	nsObj, err := cp.Clientset.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if nsObj.Labels == nil {
		nsObj.Labels = map[string]string{}
	}
	nsObj.Labels["pod-security.kubernetes.io/enforce"] = "restricted"
	if _, err := cp.Clientset.CoreV1().Namespaces().Update(ctx, nsObj, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}

	objs, err := platform.Render(filepath.Join(testenv.RepoRoot(t), "deploy", "overlays", "production"))
	if err != nil {
		t.Fatal(err)
	}
	// Pods need their ServiceAccounts to exist to be admitted at all.
	for _, o := range objs {
		if o["kind"] == "ServiceAccount" {
			sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: o["metadata"].(map[string]any)["name"].(string)}}
			if _, err := cp.Clientset.CoreV1().ServiceAccounts(ns).Create(ctx, sa, metav1.CreateOptions{}); err != nil {
				t.Fatal(err)
			}
		}
	}
	pods := 0
	for _, o := range objs {
		pod, ok := podFor(t, o)
		if !ok {
			continue
		}
		pods++
		pod.Namespace = ns
		_, err := cp.Clientset.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		if err != nil {
			t.Errorf("%s %s: %v", o["kind"], pod.Name, err)
		}
	}
	if pods < 15 {
		t.Errorf("checked %d pods; manifests/ has 15 workloads", pods)
	}

	// Controls, unconditional: a pod that breaks the restricted standard
	// must be refused, or the namespace is not enforcing anything; and
	// every base pod with a hostPath volume (the file-system pods on kind)
	// must be refused for it, whatever the workloads are called.
	privileged := true
	bad := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "control-privileged", Namespace: ns},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "busybox:1.37",
			SecurityContext: &corev1.SecurityContext{Privileged: &privileged}}}},
	}
	if _, err := cp.Clientset.CoreV1().Pods(ns).Create(ctx, bad, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}}); err == nil ||
		!strings.Contains(err.Error(), "violates PodSecurity") {
		t.Errorf("a privileged pod: error %v, want a restricted PodSecurity violation", err)
	}
	base, err := platform.Render(filepath.Join(testenv.RepoRoot(t), "manifests"))
	if err != nil {
		t.Fatal(err)
	}
	hostPathPods := 0
	for _, o := range base {
		pod, ok := podFor(t, o)
		if !ok || !hasHostPath(pod) {
			continue
		}
		hostPathPods++
		pod.Namespace = ns
		_, err := cp.Clientset.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		if err == nil || !strings.Contains(err.Error(), "hostPath") {
			t.Errorf("base pod %s with hostPath: error %v, want a restricted PodSecurity violation", pod.Name, err)
		}
	}
	if hostPathPods < 2 {
		t.Errorf("%d base pods with hostPath volumes, want file-system and file-system-agent", hostPathPods)
	}
}

func hasHostPath(pod *corev1.Pod) bool {
	for _, v := range pod.Spec.Volumes {
		if v.HostPath != nil {
			return true
		}
	}
	return false
}

// podFor builds the pod a Deployment or StatefulSet controller would create,
// including the claim volumes a StatefulSet adds for its templates.
func podFor(t *testing.T, o platform.Object) (*corev1.Pod, bool) {
	t.Helper()
	var tmpl corev1.PodTemplateSpec
	var name string
	switch o["kind"] {
	case "Deployment":
		var d appsv1.Deployment
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(o, &d); err != nil {
			t.Fatal(err)
		}
		tmpl, name = d.Spec.Template, d.Name
	case "StatefulSet":
		var s appsv1.StatefulSet
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(o, &s); err != nil {
			t.Fatal(err)
		}
		tmpl, name = s.Spec.Template, s.Name
		for _, vct := range s.Spec.VolumeClaimTemplates {
			tmpl.Spec.Volumes = append(tmpl.Spec.Volumes, corev1.Volume{
				Name: vct.Name,
				VolumeSource: corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{
					ClaimName: vct.Name + "-" + s.Name + "-0",
				}},
			})
		}
	default:
		return nil, false
	}
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name + "-0", Labels: tmpl.Labels, Annotations: tmpl.Annotations},
		Spec:       tmpl.Spec,
	}, true
}
