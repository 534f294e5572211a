package liveintegration

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/emmdev/emmdev/internal/testcp"
)

// TestUsageAgainstLimitsInTableAndJSON: kwok reports the annotated usage,
// metrics-server scrapes it, the aggregated metrics API serves it, and
// `emmdev status --once` relates it to the limits.
func TestUsageAgainstLimitsInTableAndJSON(t *testing.T) {
	t.Parallel()
	cp := testcp.Get(t)
	ns := cp.Namespace(t)
	create(t, cp, ns,
		usedPod("api", "500m", "256Mi", "250m", "251Mi"),
		usedPod("worker", "2", "1Gi", "1500m", "300Mi"),
		usedPod("cache", "", "", "5m", "10Mi"),
	)
	type usageDoc struct {
		CPUMillicores      int64    `json:"cpuMillicores"`
		CPULimitPercent    *float64 `json:"cpuLimitPercent"`
		Memory             string   `json:"memory"`
		MemoryBytes        int64    `json:"memoryBytes"`
		MemoryLimitPercent *float64 `json:"memoryLimitPercent"`
		MemoryNearLimit    bool     `json:"memoryNearLimit"`
	}
	var doc struct {
		Metrics struct {
			Available bool `json:"available"`
		} `json:"metrics"`
		Items []struct {
			Name  string    `json:"name"`
			Usage *usageDoc `json:"usage"`
		} `json:"items"`
	}
	got := map[string]*usageDoc{}
	// metrics-server lists a new pod after two scrapes (it needs a CPU rate).
	eventually(t, 120*time.Second, func() string {
		code, out, errOut := emmdev(t, cp, "status", "-n", ns, "--once", "-o", "json")
		if code != 0 {
			return fmt.Sprintf("exit %d: %s", code, errOut)
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			return err.Error()
		}
		for _, it := range doc.Items {
			if it.Usage != nil {
				got[it.Name] = it.Usage
			}
		}
		if !doc.Metrics.Available || len(got) < 3 {
			return fmt.Sprintf("usage for %d of 3 pods yet:\n%s", len(got), out)
		}
		return ""
	})
	near := func(v, want, tol float64) bool { return math.Abs(v-want) <= tol }
	api, worker, cache := got["api"], got["worker"], got["cache"]
	// CPU is a rate metrics-server computes from kwok's counter: allow 1%.
	if !near(float64(api.CPUMillicores), 250, 3) || api.CPULimitPercent == nil || !near(*api.CPULimitPercent, 50, 0.6) {
		t.Errorf("api cpu = %dm (%v%%), want 250m, 50%% of 500m", api.CPUMillicores, api.CPULimitPercent)
	}
	if api.Memory != "251Mi" || api.MemoryLimitPercent == nil || *api.MemoryLimitPercent != 98 || !api.MemoryNearLimit {
		t.Errorf("api memory = %+v, want 251Mi, 98%% of 256Mi, near the limit", *api)
	}
	if !near(float64(worker.CPUMillicores), 1500, 15) || worker.MemoryBytes != 300<<20 || worker.MemoryNearLimit ||
		worker.MemoryLimitPercent == nil || *worker.MemoryLimitPercent != 29.3 {
		t.Errorf("worker = %+v, want 1500m and 300Mi = 29.3%% of 1Gi, not near", *worker)
	}
	if cache.CPULimitPercent != nil || cache.MemoryLimitPercent != nil || cache.Memory != "10Mi" {
		t.Errorf("cache has no limits: percentages must be null, got %+v", *cache)
	}

	code, out, errOut := emmdev(t, cp, "status", "-n", ns, "--once", "--sort", "memory-limit")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if h := strings.Join(strings.Fields(lines[0]), " "); h != "APP NAME READY STATUS RESTARTS CPU %CPU/L MEM %MEM/L LAST RESTART CAUSE AGE NODE" {
		t.Fatalf("header = %q", h)
	}
	if len(lines) != 4 || !strings.HasPrefix(strings.TrimSpace(lines[1]), "api ") || !strings.HasPrefix(strings.TrimSpace(lines[3]), "cache ") {
		t.Fatalf("want api (98%%) first and cache (no limit) last:\n%s", out)
	}
	if f := strings.Fields(lines[1]); f[7] != "251Mi" || f[8] != "98%!" || f[6] != "50%" {
		t.Errorf("api row %q: want 50%% CPU, 251Mi, 98%%! (marked)", lines[1])
	}
	if f := strings.Fields(lines[2]); f[8] != "29%" {
		t.Errorf("worker row %q: want 29%%, unmarked", lines[2])
	}
	if f := strings.Fields(lines[3]); f[6] != "n/a" || f[8] != "n/a" {
		t.Errorf("cache row %q: want n/a without limits", lines[3])
	}
}

// TestScreenShowsUsageAndTheOOMPeak: the live screen polls the metrics
// API; a container OOM-killed after running near its limit gets the peak of
// that run in its cause.
func TestScreenShowsUsageAndTheOOMPeak(t *testing.T) {
	t.Parallel()
	cp := testcp.Get(t)
	ns := cp.Namespace(t)
	p := usedPod("eater", "500m", "256Mi", "100m", "251Mi")
	p.Labels[testcp.CrashLoopLabel] = "oom"
	// Long enough a run for metrics-server to see it twice; short back-off.
	p.Annotations[testcp.CrashLoopRunAnnotation] = "35s"
	p.Annotations[testcp.CrashLoopBackOffAnnotation] = "2s"
	s := watchScreen(t, cp, ns, 2*time.Second)
	create(t, cp, ns, p)
	v := s.contains("98%!", 90*time.Second)
	if !strings.Contains(v, "251Mi") || !strings.Contains(v, "%MEM/L") {
		t.Errorf("usage columns:\n%s", v)
	}
	v = s.contains("OOMKilled (limit 256Mi, peak 251Mi)", 150*time.Second)
	if !strings.Contains(v, "CrashLoopBackOff") && !strings.Contains(v, "Running") {
		t.Errorf("screen:\n%s", v)
	}
}
