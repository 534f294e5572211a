package testcp

import (
	"context"
	"os"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

// waitUntil polls cond every 100 ms until it reports done, failing the test
// with the last state described by cond after timeout.
func waitUntil(t *testing.T, timeout time.Duration, what string, cond func(ctx context.Context) (bool, string, error)) {
	t.Helper()
	var last string
	err := wait.PollUntilContextTimeout(context.Background(), 100*time.Millisecond, timeout, true, func(ctx context.Context) (bool, error) {
		done, state, err := cond(ctx)
		last = state
		if err != nil {
			last = err.Error()
		}
		return done, nil
	})
	if err != nil {
		t.Fatalf("%s: not reached after %s; last state: %s", what, timeout, last)
	}
}

func podReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

func labels(app string) map[string]string { return map[string]string{"app": app} }

func podTemplate(app string) corev1.PodTemplateSpec {
	return corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: labels(app)},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{
			Name:  "app",
			Image: "registry.example/emm/" + app + ":1",
			Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{
				corev1.ResourceCPU:    resource.MustParse("100m"),
				corev1.ResourceMemory: resource.MustParse("64Mi"),
			}},
		}}},
	}
}

func TestKubeconfigReachesTheServer(t *testing.T) {
	t.Parallel()
	cp := Get(t)
	cfg, err := clientcmd.BuildConfigFromFlags("", cp.KubeconfigPath)
	if err != nil {
		t.Fatalf("load %s: %v", cp.KubeconfigPath, err)
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	v, err := cs.Discovery().ServerVersion()
	if err != nil {
		t.Fatalf("server version through the kubeconfig: %v", err)
	}
	if v.GitVersion != KubernetesVersion {
		t.Errorf("server is %s, want %s (binaries not built by hack/build-control-plane.sh?)", v.GitVersion, KubernetesVersion)
	}
	fi, err := os.Stat(cp.KubeconfigPath)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("kubeconfig holds a private key but has mode %o, want 600", perm)
	}
}

func TestDeploymentPodsRunOnKwokNode(t *testing.T) {
	t.Parallel()
	cp := Get(t)
	ns := cp.Namespace(t)
	ctx := context.Background()
	replicas := int32(3)
	dep := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "agent"},
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: labels("agent")},
			Template: podTemplate("agent"),
		},
	}
	start := time.Now()
	if _, err := cp.Clientset.AppsV1().Deployments(ns).Create(ctx, dep, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	var firstRunning time.Duration
	waitUntil(t, 2*time.Minute, "3 pods Running and Ready on the kwok node", func(ctx context.Context) (bool, string, error) {
		pods, err := cp.Clientset.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "app=agent"})
		if err != nil {
			return false, "", err
		}
		ready := 0
		for i := range pods.Items {
			p := &pods.Items[i]
			if p.Status.Phase == corev1.PodRunning && firstRunning == 0 {
				firstRunning = time.Since(start)
			}
			if p.Spec.NodeName == KwokNodeName && p.Status.Phase == corev1.PodRunning && podReady(p) && p.Status.PodIP != "" {
				ready++
			}
		}
		return ready == 3, "ready " + itoa(ready) + " of " + itoa(len(pods.Items)) + " pods", nil
	})
	t.Logf("deployment created -> first pod Running in %s, all 3 Ready in %s", firstRunning.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
	waitUntil(t, time.Minute, "deployment reports 3 available replicas", func(ctx context.Context) (bool, string, error) {
		d, err := cp.Clientset.AppsV1().Deployments(ns).Get(ctx, "agent", metav1.GetOptions{})
		if err != nil {
			return false, "", err
		}
		return d.Status.AvailableReplicas == 3, "available " + itoa(int(d.Status.AvailableReplicas)), nil
	})
}

func TestStatefulSetClaimBindsAndPodRuns(t *testing.T) {
	t.Parallel()
	cp := Get(t)
	ns := cp.Namespace(t)
	ctx := context.Background()
	replicas := int32(1)
	sts := &appsv1.StatefulSet{
		ObjectMeta: metav1.ObjectMeta{Name: "memory"},
		Spec: appsv1.StatefulSetSpec{
			Replicas:    &replicas,
			ServiceName: "memory",
			Selector:    &metav1.LabelSelector{MatchLabels: labels("memory")},
			Template:    podTemplate("memory"),
			// No storageClassName: the default class must be kwok's.
			VolumeClaimTemplates: []corev1.PersistentVolumeClaim{{
				ObjectMeta: metav1.ObjectMeta{Name: "data"},
				Spec: corev1.PersistentVolumeClaimSpec{
					AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
					Resources:   corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}},
				},
			}},
		},
	}
	sts.Spec.Template.Spec.Containers[0].VolumeMounts = []corev1.VolumeMount{{Name: "data", MountPath: "/data"}}
	if _, err := cp.Clientset.AppsV1().StatefulSets(ns).Create(ctx, sts, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, 2*time.Minute, "claim data-memory-0 Bound", func(ctx context.Context) (bool, string, error) {
		pvc, err := cp.Clientset.CoreV1().PersistentVolumeClaims(ns).Get(ctx, "data-memory-0", metav1.GetOptions{})
		if err != nil {
			return false, "", err
		}
		sc := ""
		if pvc.Spec.StorageClassName != nil {
			sc = *pvc.Spec.StorageClassName
		}
		return pvc.Status.Phase == corev1.ClaimBound && sc == StorageClassName, string(pvc.Status.Phase) + " class " + sc, nil
	})
	waitUntil(t, 2*time.Minute, "pod memory-0 Running", func(ctx context.Context) (bool, string, error) {
		p, err := cp.Clientset.CoreV1().Pods(ns).Get(ctx, "memory-0", metav1.GetOptions{})
		if err != nil {
			return false, "", err
		}
		return p.Status.Phase == corev1.PodRunning && podReady(p), string(p.Status.Phase), nil
	})
}

func TestCrashLoopPodRestartsWithCause(t *testing.T) {
	t.Parallel()
	cp := Get(t)
	ns := cp.Namespace(t)
	probe := &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/healthz", Port: intOrString(8080)}}}
	cases := []struct {
		name       string
		liveness   *corev1.Probe
		exitCode   int32
		wantEvents []string
	}{
		{"process exits", nil, 1, []string{"BackOff"}},
		{"liveness probe fails", probe, 137, []string{"BackOff", "Unhealthy", "Killing"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			pod := &corev1.Pod{
				ObjectMeta: metav1.ObjectMeta{GenerateName: "crashy-", Labels: map[string]string{CrashLoopLabel: "true"}},
				Spec:       podTemplate("crashy").Spec,
			}
			pod.Spec.Containers[0].LivenessProbe = tc.liveness
			pod, err := cp.Clientset.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{})
			if err != nil {
				t.Fatal(err)
			}
			var seen []int32 // restart counts observed, to prove they rise
			waitUntil(t, 2*time.Minute, "restartCount >= 2 in CrashLoopBackOff", func(ctx context.Context) (bool, string, error) {
				p, err := cp.Clientset.CoreV1().Pods(ns).Get(ctx, pod.Name, metav1.GetOptions{})
				if err != nil {
					return false, "", err
				}
				if len(p.Status.ContainerStatuses) != 1 {
					return false, string(p.Status.Phase) + ", no container status", nil
				}
				cs := p.Status.ContainerStatuses[0]
				if n := len(seen); n == 0 || seen[n-1] != cs.RestartCount {
					seen = append(seen, cs.RestartCount)
				}
				w, term := cs.State.Waiting, cs.LastTerminationState.Terminated
				ok := p.Status.Phase == corev1.PodRunning && cs.RestartCount >= 2 && !cs.Ready &&
					w != nil && w.Reason == "CrashLoopBackOff" &&
					term != nil && term.ExitCode == tc.exitCode && term.Reason == "Error" && !term.FinishedAt.IsZero()
				return ok, describe(p), nil
			})
			for i := 1; i < len(seen); i++ {
				if seen[i] < seen[i-1] {
					t.Errorf("restartCount went down: %v", seen)
				}
			}
			waitUntil(t, time.Minute, "events "+join(tc.wantEvents), func(ctx context.Context) (bool, string, error) {
				evs, err := cp.Clientset.CoreV1().Events(ns).List(ctx, metav1.ListOptions{FieldSelector: "involvedObject.name=" + pod.Name})
				if err != nil {
					return false, "", err
				}
				got := map[string]bool{}
				for _, e := range evs.Items {
					got[e.Reason] = true
				}
				for _, r := range tc.wantEvents {
					if !got[r] {
						return false, "have " + keys(got), nil
					}
				}
				if tc.liveness == nil && got["Unhealthy"] {
					t.Errorf("pod without a probe got an Unhealthy event")
				}
				return true, "", nil
			})
		})
	}
}

func TestAPIServerStopStartReconnects(t *testing.T) {
	// Not parallel: the API server goes away for everyone.
	cp := Get(t)
	ns := cp.Namespace(t)
	ctx := context.Background()
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "before"}, Data: map[string]string{"k": "v"}}
	if _, err := cp.Clientset.CoreV1().ConfigMaps(ns).Create(ctx, cm, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	before := cp.PIDs()["kube-apiserver"]
	t0 := time.Now()
	cp.StopAPIServer(t)
	stopped := time.Since(t0)
	short, cancel := context.WithTimeout(ctx, 3*time.Second)
	_, err := cp.Clientset.CoreV1().ConfigMaps(ns).Get(short, "before", metav1.GetOptions{})
	cancel()
	if err == nil {
		t.Fatal("API server answered while stopped")
	}
	if _, ok := cp.PIDs()["kube-apiserver"]; ok || alive(before) {
		t.Fatalf("kube-apiserver pid %d still running after StopAPIServer", before)
	}
	t0 = time.Now()
	cp.StartAPIServer(t)
	t.Logf("kube-apiserver stopped in %s, ready again in %s", stopped.Round(time.Millisecond), time.Since(t0).Round(time.Millisecond))
	// The same clientset, created before the restart, works again, and the
	// data survived in etcd.
	got, err := cp.Clientset.CoreV1().ConfigMaps(ns).Get(ctx, "before", metav1.GetOptions{})
	if err != nil {
		t.Fatalf("after restart: %v", err)
	}
	if got.Data["k"] != "v" {
		t.Errorf("configmap data = %v after restart", got.Data)
	}
	if host := cp.Config.Host; host != cp.p.config.Host {
		t.Errorf("address changed across restart: %s -> %s", host, cp.p.config.Host)
	}
}

func TestRestrictedConfigSeesOnlyItsNamespaces(t *testing.T) {
	t.Parallel()
	cp := Get(t)
	allowed, other := cp.Namespace(t), cp.Namespace(t)
	cs, err := kubernetes.NewForConfig(cp.RestrictedConfig(t, allowed))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := cs.CoreV1().Pods(allowed).List(ctx, metav1.ListOptions{}); err != nil {
		t.Errorf("list pods in allowed namespace: %v", err)
	}
	cases := map[string]error{}
	_, cases["pods in another namespace"] = cs.CoreV1().Pods(other).List(ctx, metav1.ListOptions{})
	_, cases["pods in all namespaces"] = cs.CoreV1().Pods("").List(ctx, metav1.ListOptions{})
	_, cases["secrets in the allowed namespace"] = cs.CoreV1().Secrets(allowed).List(ctx, metav1.ListOptions{})
	for what, err := range cases {
		if !apierrors.IsForbidden(err) {
			t.Errorf("%s: err = %v, want Forbidden", what, err)
		}
	}
}

// TestTeardownLeavesNoProcesses starts a second, private plane with every
// component, stops it the way Main does, and checks each pid is gone and
// the temp dir removed.
func TestTeardownLeavesNoProcesses(t *testing.T) {
	// Not parallel: a second plane doubles the load for a few seconds.
	cp := Get(t)
	p, err := startPlane(cp.p.binDir, Options{Controllers: true, Kwok: true}, false)
	if err != nil {
		t.Fatal(err)
	}
	pids := p.pids()
	for _, name := range requiredBinaries(Options{Controllers: true, Kwok: true}) {
		if pids[name] == 0 {
			t.Errorf("%s not running after start (pids %v)", name, pids)
		}
	}
	if err := p.stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	for name, pid := range pids {
		if alive(pid) {
			t.Errorf("%s (pid %d) survived teardown", name, pid)
		}
	}
	if _, err := os.Stat(p.dir); !os.IsNotExist(err) {
		t.Errorf("temp dir %s still there after teardown (stat: %v)", p.dir, err)
	}
}
