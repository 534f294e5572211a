package platform

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	yaml "go.yaml.in/yaml/v3"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/kind/pkg/apis/config/v1alpha4"

	"github.com/emmdev/emmdev/internal/testenv"
)

// decodeKindConfig decodes the way kind's own loader does
// (pkg/internal/apis/config/encoding): apiVersion and kind checked, then the
// v1alpha4 types with unknown fields rejected.
func decodeKindConfig(raw []byte) (*v1alpha4.Cluster, error) {
	var tm struct {
		Kind       string `yaml:"kind"`
		APIVersion string `yaml:"apiVersion"`
	}
	if err := yaml.Unmarshal(raw, &tm); err != nil {
		return nil, fmt.Errorf("kind / apiVersion: %w", err)
	}
	if tm.APIVersion != "kind.x-k8s.io/v1alpha4" || tm.Kind != "Cluster" {
		return nil, fmt.Errorf("want kind.x-k8s.io/v1alpha4 Cluster, got %s %s", tm.APIVersion, tm.Kind)
	}
	cfg := &v1alpha4.Cluster{}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(cfg); err != nil {
		return nil, err
	}
	v1alpha4.SetDefaultsCluster(cfg)
	return cfg, nil
}

func loadKindConfig(t *testing.T) *v1alpha4.Cluster {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(testenv.RepoRoot(t), "kind-config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := decodeKindConfig(raw)
	if err != nil {
		t.Fatalf("kind-config.yaml: %v", err)
	}
	return cfg
}

// The decoder must be as strict as kind's, or the tests below would pass on
// configs kind rejects.
func TestDecodeKindConfigFixtures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file    string
		wantErr bool
	}{
		{"valid-minimal.yaml", false},
		{"invalid-unknown-field.yaml", true},
		{"invalid-propagation.yaml", true},
		{"invalid-wrong-version.yaml", true},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			raw, err := os.ReadFile(filepath.Join("testdata", "kind", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			_, err = decodeKindConfig(raw)
			if (err != nil) != tc.wantErr {
				t.Errorf("decode error = %v, want error %v", err, tc.wantErr)
			}
		})
	}
}

func TestKindConfig(t *testing.T) {
	t.Parallel()
	cfg := loadKindConfig(t)
	if cfg.Name != "emm" {
		t.Errorf("name %q, want emm (context kind-emm)", cfg.Name)
	}
	if len(cfg.Nodes) != 1 || cfg.Nodes[0].Role != v1alpha4.ControlPlaneRole {
		t.Fatalf("nodes %+v, want one control-plane", cfg.Nodes)
	}
	n := cfg.Nodes[0]
	wantMounts := map[string]string{"/mnt/data/vault": "./data/vault", "/mnt/data/unsorted": "./data/unsorted",
		"/var/local-path-provisioner/emm": "./data/volumes"}
	if len(n.ExtraMounts) != len(wantMounts) {
		t.Errorf("%d extraMounts, want %d", len(n.ExtraMounts), len(wantMounts))
	}
	for _, m := range n.ExtraMounts {
		if wantMounts[m.ContainerPath] != m.HostPath {
			t.Errorf("extraMount %s -> %s, want %q (relative to the repository)", m.HostPath, m.ContainerPath, wantMounts[m.ContainerPath])
		}
		if m.Readonly {
			t.Errorf("extraMount %s is read-only; the services write there", m.ContainerPath)
		}
	}
	if len(n.ExtraPortMappings) < 2 {
		t.Errorf("%d extraPortMappings, want Grafana and langgraph-api", len(n.ExtraPortMappings))
	}
	for _, p := range n.ExtraPortMappings {
		if p.ListenAddress != "127.0.0.1" {
			t.Errorf("port %d listens on %q; keep it on 127.0.0.1", p.HostPort, p.ListenAddress)
		}
		if p.Protocol != v1alpha4.PortMappingProtocolTCP {
			t.Errorf("port %d protocol %s", p.HostPort, p.Protocol)
		}
	}
}

// A host port only reaches a Service if the node port it maps is the fixed
// nodePort of a NodePort Service; both directions are checked so that no
// NodePort Service is left unreachable from the host either.
func TestKindPortMappingsReachNodePortServices(t *testing.T) {
	t.Parallel()
	cfg := loadKindConfig(t)
	nodePorts := map[int32]string{}
	for _, s := range services(t, renderDir(t, "manifests")) {
		for _, p := range s.Spec.Ports {
			if p.NodePort != 0 {
				if s.Spec.Type != corev1.ServiceTypeNodePort {
					t.Errorf("Service %s sets nodePort but is %s", s.Name, s.Spec.Type)
				}
				nodePorts[p.NodePort] = s.Name
			}
		}
	}
	mapped := map[int32]bool{}
	for _, p := range cfg.Nodes[0].ExtraPortMappings {
		mapped[p.ContainerPort] = true
		if _, ok := nodePorts[p.ContainerPort]; !ok {
			t.Errorf("extraPortMapping host %d -> node %d: no Service has nodePort %d", p.HostPort, p.ContainerPort, p.ContainerPort)
		}
	}
	for port, svc := range nodePorts {
		if !mapped[port] {
			t.Errorf("Service %s nodePort %d is not mapped to the host in kind-config.yaml", svc, port)
		}
	}
	for _, want := range []string{"grafana", "langgraph-api"} {
		found := false
		for port, svc := range nodePorts {
			found = found || (svc == want && mapped[port])
		}
		if !found {
			t.Errorf("%s is not reachable from the host", want)
		}
	}
}

// hostPath volumes only keep data when the node path is an extraMount of
// the host; otherwise files live and die inside the kind node container.
func TestHostPathVolumesAreKindMounts(t *testing.T) {
	t.Parallel()
	cfg := loadKindConfig(t)
	var mounts []string
	for _, m := range cfg.Nodes[0].ExtraMounts {
		mounts = append(mounts, m.ContainerPath)
	}
	n := 0
	for _, w := range workloads(t, renderDir(t, "manifests")) {
		for _, v := range w.Template.Spec.Volumes {
			if v.HostPath == nil {
				continue
			}
			n++
			if !slices.Contains(mounts, v.HostPath.Path) {
				t.Errorf("%s volume %s: hostPath %s is not an extraMounts containerPath %v", w.Name, v.Name, v.HostPath.Path, mounts)
			}
		}
	}
	if n == 0 {
		t.Error("no hostPath volumes found; the file-system pods should mount the data folders")
	}
}
