package limits

import (
	"strings"
	"testing"
)

func planOf(t *testing.T, peak Peak, running bool, o Options) (Row, []byte, *Workload) {
	t.Helper()
	w, data := parseOne(t, deployment)
	k := ContainerKey{"agentic-ai", "Deployment", "classifier", "classifier"}
	peaks := map[ContainerKey]Peak{}
	if peak != (Peak{}) {
		peaks[k] = peak
	}
	run := map[ContainerKey]bool{{"agentic-ai", "Deployment", "classifier", ""}: running}
	rows := Plan([]*Workload{w}, "default", peaks, run, o)
	for _, r := range rows {
		if r.Container == "classifier" {
			return r, data, w
		}
	}
	t.Fatal("no classifier row")
	return Row{}, nil, nil
}

func TestPlanSeed(t *testing.T) {
	t.Parallel()
	r, data, _ := planOf(t, Peak{MemBytes: 3435973837, CPUMilli: 1500, Samples: 10}, true,
		Options{Headroom: DefaultHeadroom(), MinSamples: 3})
	if r.Memory.Recommend != "4Gi" || !r.Memory.Below || !r.Memory.Change || r.Memory.Peak != "3277Mi" {
		t.Errorf("memory = %+v", r.Memory)
	}
	// Today's CPU limit '2' already equals the recommendation: no change.
	if r.CPU.Recommend != "2" || r.CPU.Below || r.CPU.Change {
		t.Errorf("cpu = %+v", r.CPU)
	}
	edits := Edits([]Row{r})["x.yaml"]
	if len(edits) != 1 || edits[0].Resource != Memory || edits[0].Value != "4Gi" || edits[0].Section != "limits" {
		t.Fatalf("edits = %+v", edits)
	}
	out, err := Apply("x.yaml", data, edits)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), "memory: 4Gi    # the seed's too-small limit") || !strings.Contains(string(out), "cpu: '2'") {
		t.Errorf("written:\n%s", out)
	}
}

func TestPlanNeverBelowTheRequest(t *testing.T) {
	t.Parallel()
	// A small peak: 120Mi × 1.2 = 144Mi → 160Mi (step 32Mi), under the 2Gi request.
	low := Peak{MemBytes: 120 * Mi, CPUMilli: 50, Samples: 5}
	r, _, _ := planOf(t, low, true, Options{Headroom: DefaultHeadroom(), MinSamples: 3})
	if r.Memory.Recommend != "2Gi" || r.Memory.LowerRequest != "" || r.CPU.Recommend != "1" {
		t.Errorf("without --allow-decrease the request is the floor: %+v / %+v", r.Memory, r.CPU)
	}
	if !r.Memory.Below || r.Memory.Limit != "1Gi" {
		t.Errorf("a 1Gi limit under a 2Gi request is below the recommendation: %+v", r.Memory)
	}
	r, data, _ := planOf(t, low, true, Options{Headroom: DefaultHeadroom(), MinSamples: 3, AllowDecrease: true})
	if r.Memory.Recommend != "160Mi" || r.Memory.LowerRequest != "160Mi" || r.CPU.Recommend != "60m" || r.CPU.LowerRequest != "60m" {
		t.Fatalf("with --allow-decrease the request follows: %+v / %+v", r.Memory, r.CPU)
	}
	out, err := Apply("x.yaml", data, Edits([]Row{r})["x.yaml"])
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"memory: 160Mi\n              cpu: \"60m\"", "memory: 160Mi    # the seed's", "cpu: '60m'"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("written lacks %q:\n%s", want, out)
		}
	}
}

func TestPlanWithoutEnoughEvidence(t *testing.T) {
	t.Parallel()
	o := Options{Headroom: DefaultHeadroom(), MinSamples: 3}
	r, _, _ := planOf(t, Peak{MemBytes: 3 * Gi, CPUMilli: 100, Samples: 2}, true, o)
	if r.Note != "too few samples (2 < 3)" || r.Memory.Recommend != "" || r.Memory.Peak != "3Gi" || r.Memory.Below {
		t.Errorf("too few: %+v", r)
	}
	if len(Edits([]Row{r})) != 0 {
		t.Error("no evidence, no edit")
	}
	r, _, _ = planOf(t, Peak{}, false, o)
	if r.Note != "not running" || r.Memory.Recommend != "" {
		t.Errorf("not running: %+v", r)
	}
	r, _, _ = planOf(t, Peak{}, true, o)
	if r.Note != "no data" {
		t.Errorf("running without data: %+v", r)
	}
}
