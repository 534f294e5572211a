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

	// Control: the base's file-system pod, with its hostPath volumes, must be
	// refused, or the namespace is not enforcing anything.
	base, err := platform.Render(filepath.Join(testenv.RepoRoot(t), "manifests"))
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range base {
		if pod, ok := podFor(t, o); ok && pod.Name == "file-system-0" {
			pod.Namespace = ns
			_, err := cp.Clientset.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
			if err == nil || !strings.Contains(err.Error(), "hostPath") {
				t.Errorf("base file-system pod with hostPath: error %v, want a restricted PodSecurity violation", err)
			}
		}
	}
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
