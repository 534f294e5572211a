package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/emmdev/emmdev/internal/app"
	"github.com/emmdev/emmdev/internal/cmd/status"
	"github.com/emmdev/emmdev/internal/cmdutil"
	"github.com/emmdev/emmdev/internal/testcp"
	"github.com/emmdev/emmdev/internal/watch"
)

func TestDeploymentPodsGoReadyOnTheKwokNode(t *testing.T) {
	t.Parallel()
	cp := testcp.Get(t)
	ns := cp.Namespace(t)
	s := watchNamespace(t, cp.Clientset, ns)
	if _, err := cp.Clientset.AppsV1().Deployments(ns).Create(context.Background(), deployment("api", 2), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	snap, view := s.until("2 ready api pods", 60*time.Second, func(s watch.Snapshot, _ string) bool {
		ready := 0
		for _, p := range s.Pods {
			if p.App == "api" && p.Ready == 1 && p.Total == 1 && p.Status == "Running" && p.Node == testcp.KwokNodeName {
				ready++
			}
		}
		return s.Synced && ready == 2
	})
	if snap.Conn.Phase != watch.Connected {
		t.Errorf("conn = %v", snap.Conn)
	}
	for _, want := range []string{"pods 2  ready 2  not ready 0", "● connected", testcp.KwokNodeName, "1/1", "Running"} {
		if !strings.Contains(view, want) {
			t.Errorf("screen lacks %q:\n%s", want, view)
		}
	}
}

func TestCrashLoopRestartsRiseWithTheCause(t *testing.T) {
	t.Parallel()
	cp := testcp.Get(t)
	ns := cp.Namespace(t)
	s := watchNamespace(t, cp.Clientset, ns)
	s.until("synced", 30*time.Second, func(s watch.Snapshot, _ string) bool { return s.Synced })

	crash := pod("crasher", map[string]string{testcp.CrashLoopLabel: "true", "app": "crasher"}, "")
	crash.Annotations = map[string]string{testcp.CrashLoopBackOffAnnotation: "1s"}
	probed := pod("prober", map[string]string{testcp.CrashLoopLabel: "true", "app": "prober"}, "")
	probed.Annotations = crash.Annotations
	probed.Spec.Containers[0].LivenessProbe = &corev1.Probe{ProbeHandler: corev1.ProbeHandler{
		HTTPGet: &corev1.HTTPGetAction{Path: "/healthz", Port: intstr.FromInt32(8080)}}}
	for _, p := range []*corev1.Pod{crash, probed} {
		if _, err := cp.Clientset.CoreV1().Pods(ns).Create(context.Background(), p, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	var seen []int32
	snap, view := s.until("restarts rising to 2 on both pods", 90*time.Second, func(s watch.Snapshot, _ string) bool {
		c, ok1 := podNamed(s, "crasher")
		p, ok2 := podNamed(s, "prober")
		if ok1 && (len(seen) == 0 || seen[len(seen)-1] != c.Restarts) {
			seen = append(seen, c.Restarts)
		}
		return ok1 && ok2 && c.Restarts >= 2 && p.Restarts >= 2
	})
	if len(seen) < 3 {
		t.Errorf("restart count should be seen rising step by step, saw %v", seen)
	}
	c, _ := podNamed(snap, "crasher")
	if c.LastCause != "exit code 1" || c.LastRestart.IsZero() {
		t.Errorf("crasher cause = %q at %v, want exit code 1 with a time", c.LastCause, c.LastRestart)
	}
	p, _ := podNamed(snap, "prober")
	if want := "liveness probe failed: HTTP probe failed with statuscode: 500 (exit code 137 (SIGKILL))"; p.LastCause != want {
		t.Errorf("prober cause = %q, want %q", p.LastCause, want)
	}
	if !strings.Contains(view, "restarts since start") || strings.Contains(view, "restarts since start 0") {
		t.Errorf("header should count the new restarts:\n%s", view)
	}
	for _, line := range strings.Split(view, "\n") {
		if strings.Contains(line, "crasher") && !strings.Contains(line, "↑") {
			t.Errorf("a pod whose restarts rose must be marked: %q", line)
		}
	}
	s.until("CrashLoopBackOff shown", 60*time.Second, func(s watch.Snapshot, view string) bool {
		c, _ := podNamed(s, "crasher")
		return c.Status == "CrashLoopBackOff" && strings.Contains(view, "CrashLoopBackOff")
	})
}

func TestOOMKilledLastStateShowsTheMemoryLimit(t *testing.T) {
	t.Parallel()
	cp := testcp.Get(t)
	ns := cp.Namespace(t)
	s := watchNamespace(t, cp.Clientset, ns)
	ctx := context.Background()
	pods := cp.Clientset.CoreV1().Pods(ns)
	if _, err := pods.Create(ctx, pod("llm-0", map[string]string{"app": "llm"}, "256Mi"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	s.until("llm-0 running", 60*time.Second, func(s watch.Snapshot, _ string) bool {
		p, ok := podNamed(s, "llm-0")
		return ok && p.Status == "Running" && p.Ready == 1
	})
	finished := metav1.NewTime(time.Now().Add(-30 * time.Second).Truncate(time.Second))
	for attempt := 0; ; attempt++ { // retry on a conflict with kwok's own status writes
		cur, err := pods.Get(ctx, "llm-0", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		cs := &cur.Status.ContainerStatuses[0]
		cs.RestartCount = 1
		cs.LastTerminationState = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
			Reason: "OOMKilled", ExitCode: 137, FinishedAt: finished}}
		if _, err = pods.UpdateStatus(ctx, cur, metav1.UpdateOptions{}); err == nil {
			break
		} else if attempt == 5 {
			t.Fatal(err)
		}
	}
	snap, view := s.until("OOMKilled cause", 30*time.Second, func(s watch.Snapshot, _ string) bool {
		p, _ := podNamed(s, "llm-0")
		return p.LastCause == "OOMKilled (limit 256Mi)"
	})
	p, _ := podNamed(snap, "llm-0")
	if p.Restarts != 1 || !p.LastRestart.Equal(finished.Time) {
		t.Errorf("restarts %d at %v, want 1 at %v", p.Restarts, p.LastRestart, finished)
	}
	if !strings.Contains(view, "OOMKilled (limit 256Mi)") || !regexp.MustCompile(`1 \(\d+s ago\)`).MatchString(view) {
		t.Errorf("screen should show the cause and when:\n%s", view)
	}
}

// TestAPIServerRestartMidWatch is not parallel: stopping the API server
// would break the other tests (testcp runs the parallel ones afterwards).
func TestAPIServerRestartMidWatch(t *testing.T) {
	cp := testcp.Get(t)
	ns := cp.Namespace(t)
	ctx := context.Background()
	if _, err := cp.Clientset.CoreV1().Pods(ns).Create(ctx, pod("before", map[string]string{"app": "a"}, ""), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	s := watchNamespace(t, cp.Clientset, ns)
	s.until("before running", 60*time.Second, func(s watch.Snapshot, _ string) bool {
		p, ok := podNamed(s, "before")
		return ok && p.Ready == 1 && s.Conn.Phase == watch.Connected
	})

	// If stopping fails half-way the server may be down without testcp's own
	// restart registered; bring it back so the package's other tests run.
	t.Cleanup(func() { cp.StartAPIServer(t) })
	cp.StopAPIServer(t)
	_, view := s.until("reconnecting", 60*time.Second, func(s watch.Snapshot, view string) bool {
		return s.Conn.Phase == watch.Reconnecting && strings.Contains(view, "reconnecting (attempt ")
	})
	if !strings.Contains(view, "before") {
		t.Errorf("the last known pods stay on screen while reconnecting:\n%s", view)
	}
	t.Logf("while down: %s", firstLine(view))

	cp.StartAPIServer(t)
	if _, err := cp.Clientset.CoreV1().Pods(ns).Create(ctx, pod("after", map[string]string{"app": "a"}, ""), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := cp.Clientset.CoreV1().Pods(ns).Delete(ctx, "before", *metav1.NewDeleteOptions(0)); err != nil {
		t.Fatal(err)
	}
	snap, view := s.until("recovered with the right state", 90*time.Second, func(s watch.Snapshot, _ string) bool {
		_, hasBefore := podNamed(s, "before")
		a, hasAfter := podNamed(s, "after")
		return s.Conn.Phase == watch.Connected && !hasBefore && hasAfter && a.Ready == 1
	})
	if len(snap.Pods) != 1 || !strings.Contains(view, "● connected") {
		t.Errorf("after recovery the screen shows exactly the live pods:\n%s", view)
	}
}

func TestOnceJSONFieldByField(t *testing.T) {
	t.Parallel()
	cp := testcp.Get(t)
	ns := cp.Namespace(t)
	ctx := context.Background()
	if _, err := cp.Clientset.AppsV1().Deployments(ns).Create(ctx, deployment("web", 1), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	s := watchNamespace(t, cp.Clientset, ns)
	s.until("web ready", 60*time.Second, func(s watch.Snapshot, _ string) bool {
		p, ok := podNamed(s, "web-")
		return ok && p.Ready == 1
	})

	streams, _, out, errOut := cmdutil.TestStreams()
	code := app.Run(ctx, []string{"status", "--kubeconfig", cp.KubeconfigPath, "-n", ns, "--once", "-o", "json"},
		&cmdutil.Factory{Streams: streams, Version: "test"})
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var doc struct {
		Metrics struct {
			Available bool   `json:"available"`
			Note      string `json:"note"`
		} `json:"metrics"`
		Items []map[string]any `json:"items"`
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if len(doc.Items) != 1 {
		t.Fatalf("want 1 item:\n%s", out)
	}
	// This plane runs no metrics-server: the real API server answers 404
	// for metrics.k8s.io, which is said, not hidden.
	if doc.Metrics.Available || !strings.Contains(doc.Metrics.Note, "no metrics API (metrics.k8s.io)") {
		t.Errorf("metrics = %+v, want unavailable with the reason", doc.Metrics)
	}
	it := doc.Items[0]
	check := map[string]any{"namespace": ns, "app": "web", "ready": 1.0, "total": 1.0, "status": "Running",
		"restarts": 0.0, "lastRestart": nil, "lastCause": "", "node": testcp.KwokNodeName, "usage": nil}
	for k, want := range check {
		if it[k] != want {
			t.Errorf("%s = %#v, want %#v", k, it[k], want)
		}
	}
	if name, _ := it["name"].(string); !strings.HasPrefix(name, "web-") {
		t.Errorf("name = %v", it["name"])
	}
	if age, ok := it["ageSeconds"].(float64); !ok || age < 0 || age > 300 {
		t.Errorf("ageSeconds = %v", it["ageSeconds"])
	}
	if len(it) != 12 {
		t.Errorf("want exactly the 12 documented fields, got %v", it)
	}
}

func TestForbiddenNamespaceIsNamed(t *testing.T) {
	t.Parallel()
	cp := testcp.Get(t)
	allowed, other := cp.Namespace(t), cp.Namespace(t)
	rc := cp.RestrictedConfig(t, allowed)

	run := func(args ...string) (int, string) {
		streams, _, _, errOut := cmdutil.TestStreams()
		cmd := status.NewCmd(&cmdutil.Factory{Streams: streams}, func(o *status.Options) error {
			o.Kube.Kubeconfig = cp.KubeconfigPath
			o.NewClient = func(*rest.Config) (kubernetes.Interface, error) { return kubernetes.NewForConfig(rc) }
			return status.Run(o)
		})
		cmd.SetArgs(args)
		cmd.SetOut(&bytes.Buffer{})
		cmd.SetErr(&bytes.Buffer{})
		cmd.SilenceErrors, cmd.SilenceUsage = true, true
		err := cmd.ExecuteContext(context.Background())
		if err != nil {
			errOut.WriteString(err.Error())
		}
		return cmdutil.ExitCode(err), errOut.String()
	}
	if code, msg := run("--once", "-n", allowed); code != 0 {
		t.Fatalf("the allowed namespace should work: exit %d %s", code, msg)
	}
	code, msg := run("--once", "-n", other)
	if code != cmdutil.ExitFailure || !strings.Contains(msg, `forbidden: you may not list pods in namespace "`+other+`"`) {
		t.Errorf("exit %d, message %q", code, msg)
	}
	code, msg = run("--once", "-A")
	if code != cmdutil.ExitFailure || !strings.Contains(msg, "forbidden: you may not list pods across all namespaces") {
		t.Errorf("-A: exit %d, message %q", code, msg)
	}

	// The live screen says it once, in the header, instead of retrying noisily.
	client, err := kubernetes.NewForConfig(rc)
	if err != nil {
		t.Fatal(err)
	}
	s := watchNamespace(t, client, other)
	_, view := s.until("forbidden on screen", 30*time.Second, func(s watch.Snapshot, _ string) bool {
		return s.Conn.Phase == watch.Forbidden
	})
	// The informer's first call is a streaming watch-list, so the verb the
	// server refuses is "watch"; the message names the one refused.
	if !regexp.MustCompile(`you may not (list|watch) pods in namespace "` + other + `"`).MatchString(view) {
		t.Errorf("screen:\n%s", view)
	}
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
