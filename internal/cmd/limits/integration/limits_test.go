package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aymanbagabas/go-udiff"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/emmdev/emmdev/internal/app"
	"github.com/emmdev/emmdev/internal/cmdutil"
	"github.com/emmdev/emmdev/internal/deploy"
	"github.com/emmdev/emmdev/internal/limits"
	"github.com/emmdev/emmdev/internal/testcp"
)

var (
	update = flag.Bool("update", false, "rewrite the golden diff")
	record = flag.Bool("record", false, "record Prometheus' answers into internal/limits/testdata/prometheus")
)

func TestMain(m *testing.M) {
	os.Exit(testcp.Main(m, testcp.Options{Controllers: true, Kwok: true, Metrics: true, Prometheus: true}))
}

const platformNS = "agentic-ai"

// seedState turns the copy's content classifier back into the seed's
// problem: a 1Gi limit for a model that needs over 3Gi.
var seedState = strings.NewReplacer(
	"              memory: 2Gi\n              cpu: \"1\"\n            limits:\n              memory: 4Gi\n              cpu: \"2\"\n",
	"              memory: 512Mi\n              cpu: \"500m\"\n            limits:\n              memory: 1Gi\n              cpu: \"1\"\n",
)

// copyPlatform copies manifests/ and kind-config.yaml into a temp dir and
// puts the content classifier in the seed's state.
func copyPlatform(t *testing.T) (root string) {
	t.Helper()
	root = t.TempDir()
	src := filepath.Join("..", "..", "..", "..")
	if err := os.CopyFS(filepath.Join(root, "manifests"), os.DirFS(filepath.Join(src, "manifests"))); err != nil {
		t.Fatal(err)
	}
	kc, err := os.ReadFile(filepath.Join(src, "kind-config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "kind-config.yaml"), kc, 0o644); err != nil {
		t.Fatal(err)
	}
	// Redis claims its volume from emm-local, whose provisioner
	// (local-path) runs helper pods kwok cannot run; the plane's own class
	// binds at once, which is all this test needs of the claim.
	rf := filepath.Join(root, "manifests", "20-redis.yaml")
	rd, err := os.ReadFile(rf)
	if err != nil {
		t.Fatal(err)
	}
	onPlane := strings.Replace(string(rd), "storageClassName: emm-local", "storageClassName: "+testcp.StorageClassName, 1)
	if onPlane == string(rd) {
		t.Fatal("20-redis.yaml no longer names emm-local: update copyPlatform")
	}
	if err := os.WriteFile(rf, []byte(onPlane), 0o644); err != nil {
		t.Fatal(err)
	}
	cc := filepath.Join(root, "manifests", "51-mcp-content-classifier.yaml")
	data, err := os.ReadFile(cc)
	if err != nil {
		t.Fatal(err)
	}
	seeded := seedState.Replace(string(data))
	if seeded == string(data) {
		t.Fatal("51-mcp-content-classifier.yaml changed: update seedState")
	}
	if err := os.WriteFile(cc, []byte(seeded), 0o644); err != nil {
		t.Fatal(err)
	}
	return root
}

// applyFiles applies some files of the copy with server-side apply, as
// `emmdev up` does.
func applyFiles(t *testing.T, cp *testcp.ControlPlane, dir string, names ...string) {
	t.Helper()
	var objs []deploy.Object
	for _, n := range names {
		data, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			t.Fatal(err)
		}
		o, err := deploy.Parse(n, data)
		if err != nil {
			t.Fatal(err)
		}
		objs = append(objs, o...)
	}
	clients, err := deploy.NewClients(cp.Config)
	if err != nil {
		t.Fatal(err)
	}
	a := &deploy.Applier{Clients: clients, DefaultNamespace: platformNS, CRDTimeout: 30 * time.Second}
	if _, err := a.Apply(context.Background(), deploy.Sort(objs)); err != nil {
		t.Fatal(err)
	}
}

// runningPod waits for the one running pod whose name starts with prefix.
func runningPod(t *testing.T, cp *testcp.ControlPlane, prefix string) string {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		pods, err := cp.Clientset.CoreV1().Pods(platformNS).List(context.Background(), metav1.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range pods.Items {
			if strings.HasPrefix(p.Name, prefix) && p.Status.Phase == corev1.PodRunning {
				return p.Name
			}
		}
		time.Sleep(time.Second)
	}
	t.Fatalf("no running pod %s*", prefix)
	return ""
}

// use sets a pod's simulated usage (kwok reads the annotations at once).
func use(t *testing.T, cp *testcp.ControlPlane, pod, cpu, mem string) {
	t.Helper()
	patch := fmt.Sprintf(`{"metadata":{"annotations":{%q:%q,%q:%q}}}`, testcp.UsageCPUAnnotation, cpu, testcp.UsageMemoryAnnotation, mem)
	if _, err := cp.Clientset.CoreV1().Pods(platformNS).Patch(context.Background(), pod, types.MergePatchType, []byte(patch), metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
}

// emmdev runs the CLI in-process against the plane.
func emmdev(t *testing.T, cp *testcp.ControlPlane, args ...string) (int, string, string) {
	t.Helper()
	streams, _, out, errOut := cmdutil.TestStreams()
	code := app.Run(context.Background(), append(args, "--kubeconfig", cp.KubeconfigPath),
		&cmdutil.Factory{Streams: streams, Version: "test"})
	return code, out.String(), errOut.String()
}

type sizing struct {
	Request, Limit, Peak, Recommend string
	Below, Change                   bool
}

type row struct {
	File, Kind, Workload, Container, Note string
	Running                               bool
	Samples                               int
	CPU, Memory                           sizing
}

func rowsOf(t *testing.T, out string) map[string]row {
	t.Helper()
	var doc struct {
		Evidence   string `json:"evidence"`
		Containers []row  `json:"containers"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	rows := map[string]row{}
	for _, r := range doc.Containers {
		rows[r.Workload+"/"+r.Container] = r
	}
	return rows
}

// checkSeed asserts the seed's numbers and the rest of the report.
func checkSeed(t *testing.T, how string, rows map[string]row) {
	t.Helper()
	cc := rows["content-classifier/content-classifier"]
	if cc.Memory.Recommend != "4Gi" || cc.CPU.Recommend != "2" || !cc.Memory.Below || !cc.CPU.Below {
		t.Errorf("%s: content classifier %+v, want 4Gi and 2 CPU (peak 3.2Gi / 1.5 cores + 20%%), both above today's 1Gi / 1", how, cc)
	}
	if cc.Memory.Peak != "3277Mi" || cc.Memory.Limit != "1Gi" || cc.Memory.Request != "512Mi" {
		t.Errorf("%s: memory %+v, want peak 3277Mi of limit 1Gi, request 512Mi", how, cc.Memory)
	}
	redis := rows["redis-cache/redis"]
	if redis.Memory.Recommend != "640Mi" || redis.CPU.Recommend != "400m" || redis.Memory.Below {
		t.Errorf("%s: redis %+v, want 640Mi and 400m (450Mi / 300m + 20%%, rounded)", how, redis)
	}
	if g := rows["grafana/grafana"]; g.Running || g.Note != "not running" || g.Memory.Recommend != "" {
		t.Errorf("%s: grafana is not applied; want 'not running' and no recommendation, got %+v", how, g)
	}
}

func TestLimitsFromEvidence(t *testing.T) {
	cp := testcp.Get(t)
	root := copyPlatform(t)
	dir := filepath.Join(root, "manifests")
	applyFiles(t, cp, dir, "00-namespace.yaml", "20-redis.yaml", "51-mcp-content-classifier.yaml")
	classifier := runningPod(t, cp, "content-classifier-")
	redis := runningPod(t, cp, "redis-cache-")
	use(t, cp, classifier, "1500m", "3.2Gi")
	use(t, cp, redis, "300m", "450Mi")
	annotated := time.Now()

	t.Run("sampling the metrics API", func(t *testing.T) {
		code, out, errOut := emmdev(t, cp, "limits", "--watch", "45s", "--interval", "5s", "-o", "json", dir)
		if code != cmdutil.ExitFindings {
			t.Fatalf("exit %d (want 1: limits below the evidence): %s\n%s", code, errOut, out)
		}
		rows := rowsOf(t, out)
		checkSeed(t, "--watch", rows)
		if cc := rows["content-classifier/content-classifier"]; cc.Samples < 3 {
			t.Errorf("samples = %d", cc.Samples)
		}
	})

	// Prometheus' CPU peak is the highest 1-minute rate at 30s-aligned
	// steps: wait until one step has a whole minute of the annotated usage.
	time.Sleep(time.Until(annotated.Add(95 * time.Second)))

	t.Run("too few samples are reported, not guessed", func(t *testing.T) {
		code, out, _ := emmdev(t, cp, "limits", "--prometheus", cp.PrometheusURL(), "--window", "2m", "--min-samples", "100000", "-o", "json", dir)
		if code != 0 {
			t.Fatalf("exit %d", code)
		}
		cc := rowsOf(t, out)["content-classifier/content-classifier"]
		if !strings.HasPrefix(cc.Note, "too few samples (") || cc.Memory.Recommend != "" || cc.Memory.Peak == "" {
			t.Errorf("row %+v: want the peak shown, no recommendation, and the reason", cc)
		}
	})

	var before map[string][]byte
	t.Run("prometheus", func(t *testing.T) {
		code, out, errOut := emmdev(t, cp, "limits", "--prometheus", cp.PrometheusURL(), "--window", "2m", "-o", "json", dir)
		if code != cmdutil.ExitFindings {
			t.Fatalf("exit %d: %s\n%s", code, errOut, out)
		}
		checkSeed(t, "prometheus", rowsOf(t, out))
		code, out, _ = emmdev(t, cp, "limits", "--prometheus", cp.PrometheusURL(), "--window", "2m", dir)
		if code != cmdutil.ExitFindings || !strings.Contains(out, "evidence: Prometheus (http://127.0.0.1:") {
			t.Errorf("table exit %d:\n%s", code, out)
		}
		t.Logf("emmdev limits --prometheus ... --window 2m:\n%s", out)
		for _, want := range []string{"Deployment/content-classifier", "512Mi/1Gi", "3277Mi", "4Gi ↑", "500m/1", "2 ↑", "memory limit too low, cpu limit too low", "not running"} {
			if !strings.Contains(out, want) {
				t.Errorf("table lacks %q:\n%s", want, out)
			}
		}
	})

	if *record {
		recordPrometheus(t, cp)
	}

	t.Run("prometheus through the service proxy", func(t *testing.T) {
		svcNS := prometheusService(t, cp)
		code, out, errOut := emmdev(t, cp, "limits", "--prometheus-service", svcNS+"/prometheus:9090", "--window", "2m", "-o", "json", dir)
		if code != cmdutil.ExitFindings {
			t.Fatalf("exit %d: %s\n%s", code, errOut, out)
		}
		checkSeed(t, "service proxy", rowsOf(t, out))
	})

	t.Run("no prometheus: clear advice, exit 2", func(t *testing.T) {
		code, _, errOut := emmdev(t, cp, "limits", "--window", "2m", dir) // agentic-ai/prometheus is not applied
		if code != cmdutil.ExitFailure || !strings.Contains(errOut, "no evidence") || !strings.Contains(errOut, "--watch 10m") {
			t.Errorf("exit %d: %s", code, errOut)
		}
	})

	t.Run("write changes only the resource lines and lint stays clean", func(t *testing.T) {
		before = readTree(t, dir)
		code, out, errOut := emmdev(t, cp, "limits", "--prometheus", cp.PrometheusURL(), "--window", "2m", "--write", dir)
		if code != 0 {
			t.Fatalf("exit %d: %s\n%s", code, errOut, out)
		}
		after := readTree(t, dir)
		var diff strings.Builder
		for _, name := range sortedKeys(before) {
			if d := udiff.Unified("a/"+name, "b/"+name, string(before[name]), string(after[name])); d != "" {
				diff.WriteString(d)
			}
		}
		golden(t, "testdata/write.diff", diff.String())
		for _, l := range strings.Split(diff.String(), "\n") {
			if (strings.HasPrefix(l, "+") || strings.HasPrefix(l, "-")) && !strings.HasPrefix(l, "+++") && !strings.HasPrefix(l, "---") {
				if !strings.Contains(l, "memory: ") && !strings.Contains(l, "cpu: ") {
					t.Errorf("a line other than a resource value changed: %q", l)
				}
			}
		}
		streams, _, lintOut, lintErr := cmdutil.TestStreams()
		code = app.Run(context.Background(), []string{"lint", "--kind-config", filepath.Join(root, "kind-config.yaml"), dir},
			&cmdutil.Factory{Streams: streams, Version: "test"})
		out, errOut = lintOut.String(), lintErr.String()
		if code != 0 {
			t.Errorf("lint after --write: exit %d\n%s%s", code, out, errOut)
		}
		// A second run finds nothing to raise.
		code, out, _ = emmdev(t, cp, "limits", "--prometheus", cp.PrometheusURL(), "--window", "2m", dir)
		if code != 0 || strings.Contains(out, "↑") {
			t.Errorf("after --write: exit %d\n%s", code, out)
		}
	})
}

func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = data
	}
	return out
}

func sortedKeys(m map[string][]byte) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("diff of --write differs from %s:\n%s", path, udiff.Unified("want", "got", string(want), got))
	}
}

// prometheusService publishes the tests' Prometheus as Service
// prometheus:9090 in a fresh namespace, the way the API server's service
// proxy finds a pod: an EndpointSlice with this machine's address (the proxy
// refuses loopback) and a pod reporting it.
func prometheusService(t *testing.T, cp *testcp.ControlPlane) string {
	t.Helper()
	ip := hostIP(t)
	ns := cp.Namespace(t)
	ctx := context.Background()
	cs := cp.Clientset
	port := int32(cp.PrometheusPort())
	if _, err := cs.CoreV1().Services(ns).Create(ctx, &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "prometheus"},
		Spec: corev1.ServiceSpec{Ports: []corev1.ServicePort{{Name: "http", Port: 9090,
			TargetPort: intstr.FromInt32(port), Protocol: corev1.ProtocolTCP}}},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	// Bound to a node that does not exist, so neither the scheduler nor
	// kwok touches it: only the address in its status matters.
	pod, err := cs.CoreV1().Pods(ns).Create(ctx, &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "prometheus-0"},
		Spec: corev1.PodSpec{NodeName: "no-such-node",
			Containers: []corev1.Container{{Name: "prometheus", Image: "example.invalid/none"}}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pod.Status.PodIP, pod.Status.PodIPs = ip, []corev1.PodIP{{IP: ip}}
	if _, err := cs.CoreV1().Pods(ns).UpdateStatus(ctx, pod, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	name, proto, ready := "http", corev1.ProtocolTCP, true
	if _, err := cs.DiscoveryV1().EndpointSlices(ns).Create(ctx, &discoveryv1.EndpointSlice{
		ObjectMeta:  metav1.ObjectMeta{Name: "prometheus-1", Labels: map[string]string{discoveryv1.LabelServiceName: "prometheus"}},
		AddressType: discoveryv1.AddressTypeIPv4,
		Endpoints: []discoveryv1.Endpoint{{Addresses: []string{ip}, Conditions: discoveryv1.EndpointConditions{Ready: &ready},
			TargetRef: &corev1.ObjectReference{Kind: "Pod", Namespace: ns, Name: pod.Name}}},
		Ports: []discoveryv1.EndpointPort{{Name: &name, Port: &port, Protocol: &proto}},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	return ns
}

// hostIP returns a non-loopback IPv4 address of this machine.
func hostIP(t *testing.T) string {
	t.Helper()
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil && !n.IP.IsLoopback() && !n.IP.IsLinkLocalUnicast() {
			return n.IP.String()
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("CI is set, so not skipping: no non-loopback IPv4 address for the service proxy")
	}
	t.Skip("no non-loopback IPv4 address: the API server would refuse to proxy to this host")
	return ""
}

// recordPrometheus saves the real Prometheus' answers to the queries
// emmdev limits makes, for the unit tests of internal/limits.
func recordPrometheus(t *testing.T, cp *testcp.ControlPlane) {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "limits", "testdata", "prometheus")
	base := limits.HTTPQuery(http.DefaultClient, cp.PrometheusURL())
	q := func(ctx context.Context, query string) ([]byte, error) {
		body, err := base(ctx, query)
		if err != nil {
			return nil, err
		}
		name := "memory.json"
		switch {
		case strings.HasPrefix(query, "vector("):
			name = "vector.json"
		case strings.Contains(query, "count_over_time"):
			name = "samples.json"
		case strings.Contains(query, "rate("):
			name = "cpu.json"
		}
		var pretty bytes.Buffer
		if err := json.Indent(&pretty, body, "", "  "); err != nil {
			return nil, err
		}
		pretty.WriteByte('\n')
		return body, os.WriteFile(filepath.Join(dir, name), pretty.Bytes(), 0o644)
	}
	p := limits.Prometheus{Query: q, Where: "record", Window: 2 * time.Minute, Timeout: 10 * time.Second}
	if err := p.Reachable(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, err := p.Peaks(context.Background(), []limits.Target{{Namespace: platformNS, Kind: "Deployment",
		Name: "content-classifier", Containers: []string{"content-classifier"}}})
	if err != nil {
		t.Fatal(err)
	}
}
