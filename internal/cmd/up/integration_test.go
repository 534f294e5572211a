package up_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/restmapper"
	"sigs.k8s.io/yaml"

	ssclient "github.com/bitnami/sealed-secrets/pkg/client/clientset/versioned"
	ssinformers "github.com/bitnami/sealed-secrets/pkg/client/informers/externalversions"
	sscontroller "github.com/bitnami/sealed-secrets/pkg/controller"

	"github.com/emmdev/emmdev/internal/cluster/clustertest"
	"github.com/emmdev/emmdev/internal/deploy"
	"github.com/emmdev/emmdev/internal/dotenv"
	"github.com/emmdev/emmdev/internal/seal"
	"github.com/emmdev/emmdev/internal/testcp"
)

func TestMain(m *testing.M) {
	os.Exit(testcp.Main(m, testcp.Options{Controllers: true, Kwok: true}))
}

const (
	platformNS       = "agentic-ai"
	sealedSecretFile = "manifests/40-confluence-credentials.sealedsecret.yaml"
)

// TestUpOnControlPlane runs `emmdev up --skip-cluster` against a real
// apiserver, controller-manager, scheduler and kwok node. The steps share the
// platform namespace, so they run in order.
func TestUpOnControlPlane(t *testing.T) {
	cp := testcp.Get(t)
	resetPlatform(t, cp)
	kp := generateKey(t)
	r := newTestRepo(t, kp)
	env := sealFromEnvExample(t, r, kp)
	// The platform's claims need kind's volume provisioner: its own code,
	// with the test repository's kind-config mounts standing in for the node.
	lpp := startProvisioner(t, cp, r)
	args := append([]string{"up", "--skip-cluster", "--kubeconfig", cp.KubeconfigPath, "--timeout", "3m"}, r.keyArgs()...)

	var objects int
	t.Run("applies manifests and reports ready", func(t *testing.T) {
		start := time.Now()
		code, out, errOut := r.run(t, args...)
		if code != 0 {
			t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
		}
		t.Logf("first up: %s", time.Since(start).Round(time.Millisecond))
		for _, want := range []string{"✓ Installing the sealed-secrets controller", "✓ Applying", "✓ Waiting for"} {
			if !strings.Contains(errOut, want) {
				t.Errorf("stderr lacks %q:\n%s", want, errOut)
			}
		}
		if !strings.Contains(out, "EMM is ready.") || !strings.Contains(out, "emmdev status") {
			t.Errorf("stdout lacks the ready message and next steps:\n%s", out)
		}
		m := regexp.MustCompile(`(\d+) created, 0 configured, 0 unchanged`).FindStringSubmatch(errOut)
		if m == nil {
			t.Fatalf("first run should only create:\n%s", errOut)
		}
		objects, _ = strconv.Atoi(m[1])
		dep, err := cp.Clientset.AppsV1().Deployments(platformNS).Get(context.Background(), "confluence", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if !appliedBy(dep.ManagedFields, "emmdev") {
			t.Errorf("deployment confluence not server-side applied by field manager emmdev: %+v", dep.ManagedFields)
		}
		if strings.Contains(out+errOut, "PRIVATE KEY") || strings.Contains(out+errOut, env["CONFLUENCE_API_TOKEN"]) {
			t.Errorf("secret material in the output")
		}
	})

	t.Run("second run is a no-op apply", func(t *testing.T) {
		start := time.Now()
		code, out, errOut := r.run(t, args...)
		if code != 0 {
			t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
		}
		t.Logf("second up: %s", time.Since(start).Round(time.Millisecond))
		want := fmt.Sprintf("0 created, 0 configured, %d unchanged", objects)
		if !strings.Contains(errOut, want) {
			t.Errorf("second run: want %q in\n%s", want, errOut)
		}
	})

	t.Run("fields another manager owns are reported, not taken, unless --force-conflicts", func(t *testing.T) {
		testConflicts(t, cp, r, args)
	})

	t.Run("a claim's folder on the host outlives a full wipe and is reused by the same claim", func(t *testing.T) {
		testVolumesOutliveWipe(t, cp, r, lpp, args)
	})

	t.Run("full up: kind through its API on a fake docker, then deploy on the control plane", func(t *testing.T) {
		_, calls := clustertest.FakeDocker(t)
		// The fake node serves the control plane's admin kubeconfig, so the
		// context kind writes (kind-emm) reaches the real apiserver.
		t.Setenv("FAKE_DOCKER_ADMIN_CONF", cp.KubeconfigPath)
		u, err := url.Parse(cp.Config.Host)
		if err != nil {
			t.Fatal(err)
		}
		t.Setenv("FAKE_DOCKER_API_PORT", u.Port())
		full := append([]string{"up", "--timeout", "3m"}, r.keyArgs()...)
		code, out, errOut := r.run(t, full...)
		if code != 0 {
			t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
		}
		for _, want := range []string{`✓ Creating cluster "emm"`, `✓ Setting kube context "kind-emm"`, "✓ Local registry localhost:5001",
			fmt.Sprintf("0 created, 0 configured, %d unchanged", objects)} {
			if !strings.Contains(errOut, want) {
				t.Errorf("stderr lacks %q:\n%s", want, errOut)
			}
		}
		for _, want := range []string{"kubectl context   kind-emm", "tilt up", filepath.Join(r.dir, "data", "vault")} {
			if !strings.Contains(out, want) {
				t.Errorf("next steps lack %q:\n%s", want, out)
			}
		}
		runs := strings.Count(calls(), "run --name emm-control-plane ")
		start := time.Now()
		code, _, errOut = r.run(t, full...)
		if code != 0 || !strings.Contains(errOut, `✓ Reusing cluster "emm" (config unchanged)`) {
			t.Fatalf("second full up: exit %d\n%s", code, errOut)
		}
		t.Logf("second full up (reuse, no-op apply, wait): %s", time.Since(start).Round(time.Millisecond))
		if got := strings.Count(calls(), "run --name emm-control-plane "); got != runs || runs != 1 {
			t.Errorf("node container created %d times over two ups, want once", got)
		}
	})

	t.Run("sealed-secrets controller decrypts with the dev key up installed", func(t *testing.T) {
		stop := runSealedSecretsController(t, cp.Clientset, cp)
		defer stop()
		waitForSecret(t, cp.Clientset, env)
	})

	t.Run("after wiping namespace, key and controller, up again still decrypts", func(t *testing.T) {
		ctx := context.Background()
		cs := cp.Clientset
		if err := cs.CoreV1().Namespaces().Delete(ctx, platformNS, metav1.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
		_ = cs.CoreV1().Secrets(seal.ControllerNamespace).Delete(ctx, seal.DevKeySecretName, metav1.DeleteOptions{})
		_ = cs.AppsV1().Deployments(seal.ControllerNamespace).Delete(ctx, seal.ControllerName, metav1.DeleteOptions{})
		err := wait.PollUntilContextTimeout(ctx, 500*time.Millisecond, 2*time.Minute, true, func(ctx context.Context) (bool, error) {
			_, err := cs.CoreV1().Namespaces().Get(ctx, platformNS, metav1.GetOptions{})
			return apierrors.IsNotFound(err), nil
		})
		if err != nil {
			t.Fatalf("namespace %s not gone: %v", platformNS, err)
		}
		if _, err := cs.CoreV1().Secrets(seal.ControllerNamespace).Get(ctx, seal.DevKeySecretName, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			t.Fatalf("dev key secret still there: %v", err)
		}
		code, out, errOut := r.run(t, args...)
		if code != 0 {
			t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
		}
		// A fresh controller with an empty key registry: it can only decrypt
		// with the key that this up put back into the cluster.
		stop := runSealedSecretsController(t, cs, cp)
		defer stop()
		waitForSecret(t, cs, env)
	})

	t.Run("a crash-looping service times out naming the pod and its cause", func(t *testing.T) {
		crash := newTestRepo(t, kp)
		copyFile(t, filepath.Join(r.dir, sealedSecretFile), filepath.Join(crash.dir, sealedSecretFile))
		addCrashLoopLabel(t, filepath.Join(crash.dir, "manifests/53-mcp-confluence.yaml"))
		cargs := append([]string{"up", "--skip-cluster", "--kubeconfig", cp.KubeconfigPath, "--timeout", "40s"}, crash.keyArgs()...)
		code, out, errOut := crash.run(t, cargs...)
		if code != 1 {
			t.Fatalf("exit %d, want 1\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
		}
		t.Logf("up output:\n%s", out)
		if !strings.Contains(errOut, "✗ Waiting for") {
			t.Errorf("wait step not marked failed:\n%s", errOut)
		}
		pod := regexp.MustCompile(`pod agentic-ai/confluence-[a-z0-9]+-[a-z0-9]+ 0/1 (CrashLoopBackOff|Error|Running)[^\n]*(restarts|exit code 1)`)
		if !strings.Contains(out, "Deployment agentic-ai/confluence:") || !pod.MatchString(out) {
			t.Errorf("stdout does not name the crash-looping pod and its cause:\n%s", out)
		}
		for _, healthy := range []string{"StatefulSet agentic-ai/redis-cache", "StatefulSet agentic-ai/grafana", "Deployment agentic-ai/langgraph-api"} {
			if strings.Contains(out, healthy+":") {
				t.Errorf("healthy workload %s reported as not ready:\n%s", healthy, out)
			}
		}
	})
}

func appliedBy(mfs []metav1.ManagedFieldsEntry, manager string) bool {
	for _, mf := range mfs {
		if mf.Manager == manager && mf.Operation == metav1.ManagedFieldsOperationApply {
			return true
		}
	}
	return false
}

// sealFromEnvExample replaces the placeholder SealedSecret with one sealed in
// the test, with the test key, from testdata/env.example; it returns the
// plain values the controller must produce.
func sealFromEnvExample(t *testing.T, r *testRepo, kp *seal.KeyPair) map[string]string {
	t.Helper()
	data, err := os.ReadFile("testdata/env.example")
	if err != nil {
		t.Fatal(err)
	}
	entries, err := dotenv.ParseBytes("testdata/env.example", data)
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{}
	sec := &corev1.Secret{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
		ObjectMeta: metav1.ObjectMeta{Name: "confluence-credentials", Namespace: platformNS},
		Type:       corev1.SecretTypeOpaque,
		StringData: map[string]string{},
	}
	for _, e := range entries {
		env[e.Key] = e.Value
		sec.StringData[e.Key] = e.Value
	}
	ss, err := seal.SealSecret(sec, &kp.Key.PublicKey, seal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	out, err := yaml.Marshal(ss)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(r.dir, sealedSecretFile), out, 0o644)
	return env
}

// runSealedSecretsController runs the controller's own code in-process: the
// same informers and key registry as its Main, which needs in-cluster config.
// The registry starts empty; keys come only from kube-system Secrets labelled
// active, exactly as in the cluster.
func runSealedSecretsController(t *testing.T, cs kubernetes.Interface, cp *testcp.ControlPlane) (stop func()) {
	t.Helper()
	ssc, err := ssclient.NewForConfig(cp.Config)
	if err != nil {
		t.Fatal(err)
	}
	registry := sscontroller.NewKeyRegistry(cs, seal.ControllerNamespace, "sealed-secrets-key", sscontroller.SealedSecretsKeyLabel, 2048)
	keys := informers.NewSharedInformerFactoryWithOptions(cs, 0, informers.WithNamespace(seal.ControllerNamespace),
		informers.WithTweakListOptions(func(o *metav1.ListOptions) { o.LabelSelector = sscontroller.SealedSecretsKeyLabel + "=active" }))
	secrets := informers.NewSharedInformerFactory(cs, 0)
	sealed := ssinformers.NewSharedInformerFactory(ssc, 0)
	c, err := sscontroller.NewController(cs, ssc, sealed, secrets, keys, registry, 5, "CertNotBefore")
	if err != nil {
		t.Fatal(err)
	}
	ch := make(chan struct{})
	go c.Run(ch)
	// Closing ch stops the informers, so this controller sees no more
	// events. Its worker stays parked on the work queue (Controller.Run only
	// shuts the queue down after the worker returns), so do not wait for it.
	return func() { close(ch) }
}

func waitForSecret(t *testing.T, cs kubernetes.Interface, want map[string]string) {
	t.Helper()
	var last string
	err := wait.PollUntilContextTimeout(context.Background(), 500*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		s, err := cs.CoreV1().Secrets(platformNS).Get(ctx, "confluence-credentials", metav1.GetOptions{})
		if err != nil {
			last = err.Error()
			return false, nil
		}
		for k, v := range want {
			if string(s.Data[k]) != v {
				last = "key " + k + " differs"
				return false, nil
			}
		}
		return len(s.Data) == len(want), nil
	})
	if err != nil {
		t.Fatalf("Secret confluence-credentials never matched .env.example: %s", last)
	}
}

func addCrashLoopLabel(t *testing.T, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// The pod template's labels are the second "labels:" block under
	// "template:"; add the kwok crash-loop label there.
	s := string(data)
	i := strings.Index(s, "  template:\n    metadata:\n      labels:\n")
	if i < 0 {
		t.Fatalf("%s: no pod template labels", path)
	}
	at := i + len("  template:\n    metadata:\n      labels:\n")
	s = s[:at] + "        " + testcp.CrashLoopLabel + ": \"true\"\n" + s[at:]
	writeFile(t, path, []byte(s), 0o644)
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, dst, data, 0o644)
}

// resetPlatform removes what an earlier run of TestUpOnControlPlane left on
// the shared plane (go test -count=N), so "the first up only creates" holds
// again. On a fresh plane there is nothing to do.
func resetPlatform(t *testing.T, cp *testcp.ControlPlane) {
	t.Helper()
	ctx := context.Background()
	cs := cp.Clientset
	if _, err := cs.CoreV1().Namespaces().Get(ctx, platformNS, metav1.GetOptions{}); apierrors.IsNotFound(err) {
		return
	}
	objs, err := deploy.SealedSecretsObjects()
	if err != nil {
		t.Fatal(err)
	}
	// Cluster-scoped objects of manifests/ (Prometheus' ClusterRole and
	// binding) outlive the namespace.
	platform, err := deploy.LoadDir("../../../manifests")
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range platform {
		if o.GetNamespace() == "" && o.GetKind() != "Namespace" {
			objs = append(objs, o)
		}
	}
	mapper := restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(cs.Discovery()))
	del := func(o *unstructured.Unstructured) {
		gvk := o.GroupVersionKind()
		m, err := mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
		if err != nil {
			return // kind not served (e.g. the CRD is already gone)
		}
		ri := cp.Dynamic.Resource(m.Resource).Namespace(o.GetNamespace())
		if err := ri.Delete(ctx, o.GetName(), metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
			t.Fatalf("reset: delete %s %s: %v", gvk.Kind, o.GetName(), err)
		}
	}
	_ = cs.CoreV1().Namespaces().Delete(ctx, platformNS, metav1.DeleteOptions{})
	_ = cs.CoreV1().Secrets(seal.ControllerNamespace).Delete(ctx, seal.DevKeySecretName, metav1.DeleteOptions{})
	for _, o := range objs {
		del(o.Unstructured)
	}
	// Retained volumes of the earlier run's claims.
	deleteClassVolumes(t, cp, "emm-local")
	err = wait.PollUntilContextTimeout(ctx, 500*time.Millisecond, 2*time.Minute, true, func(ctx context.Context) (bool, error) {
		if _, err := cs.CoreV1().Namespaces().Get(ctx, platformNS, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			return false, nil
		}
		for _, o := range objs {
			gvk := o.GroupVersionKind()
			m, err := mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
			if err != nil {
				mapper.Reset()
				continue
			}
			_, err = cp.Dynamic.Resource(m.Resource).Namespace(o.GetNamespace()).Get(ctx, o.GetName(), metav1.GetOptions{})
			if !apierrors.IsNotFound(err) {
				return false, nil
			}
		}
		return true, nil
	})
	if err != nil {
		t.Fatalf("reset: leftovers of an earlier run are not gone: %v", err)
	}
}
