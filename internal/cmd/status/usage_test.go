package status

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
	metricsapi "k8s.io/metrics/pkg/apis/metrics/v1beta1"
	metricsfake "k8s.io/metrics/pkg/client/clientset/versioned/fake"
)

// noMetricsServer answers like a cluster without metrics-server: the
// metrics.k8s.io group is not served (404).
func noMetricsServer() *metricsfake.Clientset {
	c := metricsfake.NewSimpleClientset()
	c.PrependReactor("list", "pods", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewNotFound(schema.GroupResource{Group: "metrics.k8s.io", Resource: "pods"}, "")
	})
	return c
}

// metricsServer serves the given pod usages: container name → cpu, memory.
func metricsServer(t *testing.T, pods map[string][2]string) *metricsfake.Clientset {
	t.Helper()
	c := metricsfake.NewSimpleClientset()
	gvr := metricsapi.SchemeGroupVersion.WithResource("pods")
	for name, u := range pods {
		pm := &metricsapi.PodMetrics{ObjectMeta: metav1.ObjectMeta{Namespace: "agentic-ai", Name: name},
			Timestamp: metav1.NewTime(now), Window: metav1.Duration{Duration: 15 * time.Second},
			Containers: []metricsapi.ContainerMetrics{{Name: "main", Usage: corev1.ResourceList{
				corev1.ResourceCPU: resource.MustParse(u[0]), corev1.ResourceMemory: resource.MustParse(u[1])}}}}
		if err := c.Tracker().Create(gvr, pm, "agentic-ai"); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

func withLimits(cpu, mem string) func(*corev1.Pod) {
	return func(p *corev1.Pod) {
		p.Spec.Containers[0].Resources.Limits = corev1.ResourceList{
			corev1.ResourceCPU: resource.MustParse(cpu), corev1.ResourceMemory: resource.MustParse(mem)}
	}
}

func usageCluster(t *testing.T) (*fake.Clientset, *metricsfake.Clientset) {
	t.Helper()
	return fake.NewClientset(
			mkPod("api-0", withLimits("500m", "256Mi")),
			mkPod("worker-0", withLimits("2", "1Gi")),
			mkPod("cache-0"), // no limits; no metrics yet either
		), metricsServer(t, map[string][2]string{
			"api-0":    {"250m", "251Mi"},
			"worker-0": {"1500m", "300Mi"},
		})
}

func TestOnceTableShowsUsageAgainstLimits(t *testing.T) {
	t.Parallel()
	client, mc := usageCluster(t)
	h := runStatusWithMetrics(t, context.Background(), client, mc, "--once")
	if h.err != nil {
		t.Fatal(h.err)
	}
	lines := strings.Split(strings.TrimSpace(h.out.String()), "\n")
	if len(lines) != 4 {
		t.Fatalf("want header + 3 rows:\n%s", h.out)
	}
	if got := strings.Join(strings.Fields(lines[0]), " "); got != "APP NAME READY STATUS RESTARTS CPU %CPU/L MEM %MEM/L LAST RESTART CAUSE AGE NODE" {
		t.Errorf("header = %q", got)
	}
	want := []string{
		"api api-0 1/1 Running 0 250m 50% 251Mi 98%! - 60m kwok-node-0",
		"cache cache-0 1/1 Running 0 - - - - - 60m kwok-node-0",
		"worker worker-0 1/1 Running 0 1500m 75% 300Mi 29% - 60m kwok-node-0",
	}
	for i, w := range want {
		if got := strings.Join(strings.Fields(lines[i+1]), " "); got != w {
			t.Errorf("row %d = %q\n      want %q", i, got, w)
		}
	}
	if h.errOut.Len() != 0 {
		t.Errorf("no note expected with metrics, stderr %q", h.errOut)
	}
}

func TestOnceTableWithoutMetricsHidesColumnsWithANote(t *testing.T) {
	t.Parallel()
	client, _ := usageCluster(t)
	h := runStatus(t, context.Background(), client, "--once")
	if h.err != nil {
		t.Fatal(h.err)
	}
	if strings.Contains(h.out.String(), "%MEM/L") || strings.Contains(h.out.String(), "CPU") {
		t.Errorf("usage columns without a metrics API:\n%s", h.out)
	}
	if got := h.errOut.String(); strings.Count(got, "\n") != 1 || !strings.Contains(got, "CPU/MEM columns hidden: no metrics API (metrics.k8s.io): install metrics-server") {
		t.Errorf("stderr = %q, want one line saying why", got)
	}
}

func TestOnceJSONCarriesUsage(t *testing.T) {
	t.Parallel()
	client, mc := usageCluster(t)
	h := runStatusWithMetrics(t, context.Background(), client, mc, "-o", "json", "--sort", "memory-limit")
	if h.err != nil {
		t.Fatal(h.err)
	}
	var doc struct {
		Metrics struct {
			Available bool `json:"available"`
		} `json:"metrics"`
		Items []struct {
			Name  string           `json:"name"`
			Usage *json.RawMessage `json:"usage"`
		} `json:"items"`
	}
	if err := json.Unmarshal(h.out.Bytes(), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, h.out)
	}
	if !doc.Metrics.Available || len(doc.Items) != 3 {
		t.Fatalf("doc = %+v", doc)
	}
	// Sorted by share of the memory limit: 98%, 29%, then the pod without a reading.
	if got := doc.Items[0].Name + "," + doc.Items[1].Name + "," + doc.Items[2].Name; got != "api-0,worker-0,cache-0" {
		t.Errorf("order = %s", got)
	}
	if doc.Items[2].Usage != nil && string(*doc.Items[2].Usage) != "null" {
		t.Errorf("a pod without metrics has usage null, got %s", *doc.Items[2].Usage)
	}
	var api map[string]any
	if err := json.Unmarshal(*doc.Items[0].Usage, &api); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"cpu": "250m", "cpuMillicores": 250.0, "cpuLimitPercent": 50.0, "memory": "251Mi",
		"memoryBytes": float64(251 << 20), "memoryLimitPercent": 98.0, "memoryNearLimit": true}
	for k, v := range want {
		if api[k] != v {
			t.Errorf("usage.%s = %#v, want %#v", k, api[k], v)
		}
	}
	cs, _ := api["containers"].([]any)
	if len(cs) != 1 || cs[0].(map[string]any)["name"] != "main" || cs[0].(map[string]any)["memoryNearLimit"] != true {
		t.Errorf("containers = %#v", api["containers"])
	}
	// No limit: null, not 0.
	h = runStatusWithMetrics(t, context.Background(), fake.NewClientset(mkPod("cache-0")), metricsServer(t, map[string][2]string{"cache-0": {"5m", "10Mi"}}), "-o", "json")
	if !strings.Contains(h.out.String(), `"cpuLimitPercent": null`) || !strings.Contains(h.out.String(), `"memoryLimitPercent": null`) {
		t.Errorf("percentages without a limit must be null:\n%s", h.out)
	}
}

func TestSortNeedsOnceAndAKnownKey(t *testing.T) {
	t.Parallel()
	for args, want := range map[string][]string{
		"unknown sort": {"--once", "--sort", "ram"},
		"needs --once": {"--watch", "--sort", "cpu"},
	} {
		h := runStatus(t, context.Background(), fake.NewClientset(), want...)
		if h.err == nil || !strings.Contains(h.err.Error(), args) {
			t.Errorf("%v: err = %v, want %q", want, h.err, args)
		}
	}
}
