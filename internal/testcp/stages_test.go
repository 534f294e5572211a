package testcp

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
)

type stageDoc struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name string `json:"name"`
	} `json:"metadata"`
	Spec struct {
		ResourceRef struct {
			Kind string `json:"kind"`
		} `json:"resourceRef"`
	} `json:"spec"`
}

func TestKwokConfigHoldsEveryStageOnce(t *testing.T) {
	t.Parallel()
	cfg, err := kwokConfig()
	if err != nil {
		t.Fatal(err)
	}
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(cfg), 4096)
	seen := map[string]string{}
	for {
		var d stageDoc
		if err := dec.Decode(&d); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("stage %d does not parse: %v", len(seen)+1, err)
		}
		if d.APIVersion != "kwok.x-k8s.io/v1alpha1" || d.Kind != "Stage" {
			t.Errorf("%q: %s/%s, want kwok.x-k8s.io/v1alpha1 Stage", d.Metadata.Name, d.APIVersion, d.Kind)
		}
		if _, dup := seen[d.Metadata.Name]; dup || d.Metadata.Name == "" {
			t.Errorf("stage name %q empty or duplicated", d.Metadata.Name)
		}
		seen[d.Metadata.Name] = d.Spec.ResourceRef.Kind
	}
	want := map[string]string{
		"node-initialize": "Node", "node-heartbeat": "Node", "pod-ready": "Pod", "pod-complete": "Pod", "pod-delete": "Pod",
		"crashloop-start": "Pod", "crashloop-crash": "Pod", "crashloop-crash-probe": "Pod", "crashloop-restart": "Pod", "crashloop-oom": "Pod",
		"pvc-provision": "PersistentVolumeClaim", "pvc-delete": "PersistentVolumeClaim",
		"pv-bind": "PersistentVolume", "pv-delete": "PersistentVolume",
	}
	for name, kind := range want {
		if seen[name] != kind {
			t.Errorf("stage %s: resource %q, want %q", name, seen[name], kind)
		}
	}
	if len(seen) != len(want) {
		t.Errorf("got %d stages %v, want %d", len(seen), seen, len(want))
	}
}

// The stages spell the label and annotations out in YAML; the Go constants
// users rely on must match them.
func TestStagesUseTheExportedNames(t *testing.T) {
	t.Parallel()
	cases := []struct {
		file  string
		names []string
	}{
		{"stages/pod-ready.yaml", []string{`labels["` + CrashLoopLabel + `"]`}},
		{"stages/pod-complete.yaml", []string{`labels["` + CrashLoopLabel + `"]`}},
		{"stages/crashloop-start.yaml", []string{`labels["` + CrashLoopLabel + `"]`}},
		{"stages/crashloop-crash.yaml", []string{`labels["` + CrashLoopLabel + `"]`, `annotations["` + CrashLoopRunAnnotation + `"]`}},
		{"stages/crashloop-crash-probe.yaml", []string{`labels["` + CrashLoopLabel + `"]`, `annotations["` + CrashLoopRunAnnotation + `"]`}},
		{"stages/crashloop-restart.yaml", []string{`labels["` + CrashLoopLabel + `"]`, `annotations["` + CrashLoopBackOffAnnotation + `"]`}},
		{"stages/crashloop-oom.yaml", []string{`labels["` + CrashLoopLabel + `"]`, `annotations["` + CrashLoopRunAnnotation + `"]`}},
		{"stages/pvc-provision.yaml", []string{`'` + StorageClassName + `'`}},
	}
	for _, tc := range cases {
		data, err := stageFiles.ReadFile(tc.file)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range tc.names {
			if !strings.Contains(string(data), n) {
				t.Errorf("%s does not contain %s", tc.file, n)
			}
		}
	}
}

// TestKubeletConfigParses: the kwok resources of the kubelet features are
// the kinds kwok expects, and usage reads the annotations testcp exports.
func TestKubeletConfigParses(t *testing.T) {
	t.Parallel()
	cfg, err := Options{Metrics: true}.kwokKubeletConfig()
	if err != nil {
		t.Fatal(err)
	}
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(cfg), 4096)
	var kinds []string
	for {
		var d stageDoc
		if err := dec.Decode(&d); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		kinds = append(kinds, d.Kind)
	}
	if strings.Join(kinds, ",") != "Metric,ClusterResourceUsage" {
		t.Errorf("kinds = %v", kinds)
	}
	for _, want := range []string{UsageCPUAnnotation, UsageMemoryAnnotation, ContainerUsageAnnotation("memory", "")} {
		if !bytes.Contains(cfg, []byte(want)) {
			t.Errorf("usage rules do not read %q", want)
		}
	}
	if !bytes.Contains(cfg, []byte(resourceMetricsPath)[:len("/metrics/nodes/")]) {
		t.Error("metric path")
	}
	if none, _ := (Options{Logs: true}).kwokKubeletConfig(); len(none) != 0 {
		t.Error("logs alone need no metric config")
	}
}
