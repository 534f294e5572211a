package lint_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/emmdev/emmdev/internal/lint"
	"github.com/emmdev/emmdev/internal/lint/loader"
)

// TestHostPathWithoutKindConfigSaysSo: without a kind config the hostPath
// rule cannot run, and the run says so once (not once per object).
func TestHostPathWithoutKindConfigSaysSo(t *testing.T) {
	t.Parallel()
	reg, pol := defaultSetup(t)
	data, err := os.ReadFile("testdata/hostpath-not-mounted/invalid-outside-extramounts.yaml")
	if err != nil {
		t.Fatal(err)
	}
	in := []loader.Input{loader.BytesInput("a.yaml", data), loader.BytesInput("b.yaml", data)}
	res, err := lint.Run(context.Background(), lint.Config{Inputs: in, Registry: reg, Policy: pol})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Notes) != 1 || !strings.Contains(res.Notes[0], "no kind-config.yaml found") || !strings.Contains(res.Notes[0], "of 2 object(s) were not checked") {
		t.Errorf("notes %q, want one saying 2 objects went unchecked", res.Notes)
	}
	res, err = lint.Run(context.Background(), lint.Config{Inputs: in, Registry: reg, Policy: pol, KindConfig: "testdata/hostpath-not-mounted/kind-config.yaml"})
	if err != nil || len(res.Notes) != 0 {
		t.Errorf("with a kind config: notes %q, err %v", res.Notes, err)
	}
}

// TestRolloutMessageNamesReplicas: the message says how many pods go down
// out of how many replicas, and an HPA's maxReplicas counts.
func TestRolloutMessageNamesReplicas(t *testing.T) {
	t.Parallel()
	for file, want := range map[string]string{
		"testdata/rolling-update-downtime/invalid-default-25-percent.yaml":   "maxUnavailable 25% (the default when unset) at 4 replica(s) lets the rolling update take 1 pod(s) down",
		"testdata/rolling-update-downtime/invalid-hpa-grows.yaml":            "up to 8 replicas (HorizontalPodAutoscaler maxReplicas) lets the rolling update take 2 pod(s) down",
		"testdata/rolling-update-downtime/invalid-both-resolve-to-zero.yaml": "both resolve to 0, so the Deployment controller takes 1 pod down",
	} {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var msgs []string
		for _, f := range lintBytes(t, lint.Config{}, file, string(data)) {
			if f.RuleID == "rolling-update-downtime" {
				msgs = append(msgs, f.Message)
			}
		}
		if len(msgs) != 1 || !strings.Contains(msgs[0], want) {
			t.Errorf("%s: messages %q, want one with %q", file, msgs, want)
		}
	}
}

// TestEmmdevPolicyFilesAreNotLinted: `emmdev lint .` walks into policies/;
// the shipped policy files are emmdev's, not the API server's, so they get
// one note instead of an unknown-kind error each.
func TestEmmdevPolicyFilesAreNotLinted(t *testing.T) {
	t.Parallel()
	reg, pol := defaultSetup(t)
	var in []loader.Input
	for _, f := range []string{"../../policies/emm.yaml", "../../policies/default.yaml", "testdata/resources/valid-deployment.yaml"} {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		in = append(in, loader.BytesInput(f, data))
	}
	res, err := lint.Run(context.Background(), lint.Config{Inputs: in, Registry: reg, Policy: pol})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range res.Findings {
		if strings.Contains(f.File, "policies/") {
			t.Errorf("%s:%d: %s %s", f.File, f.Line, f.RuleID, f.Message)
		}
	}
	want := "5 emmdev policy document(s)"
	if !strings.Contains(strings.Join(res.Notes, "\n"), want) {
		t.Errorf("notes %q, want one starting %q", res.Notes, want)
	}
}
