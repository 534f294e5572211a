package platform

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/emmdev/emmdev/internal/testenv"
)

// baseObjects is the platform as issue 3 describes it: every object the
// local deployment must contain, no more.
var baseObjects = []string{
	"Namespace//agentic-ai",
	"StorageClass//emm-local",
	"ConfigMap/agentic-ai/jd-structure",
	"ConfigMap/agentic-ai/redis-config",
	"Service/agentic-ai/redis-service",
	"StatefulSet/agentic-ai/redis-cache",
	"SealedSecret/agentic-ai/confluence-credentials",
	// MCP servers
	"Deployment/agentic-ai/jd-classifier", "Service/agentic-ai/jd-classifier",
	"Deployment/agentic-ai/content-classifier", "Service/agentic-ai/content-classifier",
	"Deployment/agentic-ai/bookmark-classifier", "Service/agentic-ai/bookmark-classifier",
	"Deployment/agentic-ai/confluence", "Service/agentic-ai/confluence",
	"Deployment/agentic-ai/file-system", "Service/agentic-ai/file-system",
	"Deployment/agentic-ai/web-scraper", "Service/agentic-ai/web-scraper",
	"Deployment/agentic-ai/notifications", "Service/agentic-ai/notifications",
	// agents and the API
	"Deployment/agentic-ai/confluence-agent", "Service/agentic-ai/confluence-agent",
	"Deployment/agentic-ai/bookmark-scraper", "Service/agentic-ai/bookmark-scraper",
	"Deployment/agentic-ai/file-system-agent", "Service/agentic-ai/file-system-agent",
	"Deployment/agentic-ai/langgraph-api", "Service/agentic-ai/langgraph-api",
	// monitoring
	"ServiceAccount/agentic-ai/prometheus",
	"ClusterRole//emm-prometheus",
	"ClusterRoleBinding//emm-prometheus",
	"ConfigMap/agentic-ai/prometheus-config",
	"Service/agentic-ai/prometheus",
	"StatefulSet/agentic-ai/prometheus",
	"ConfigMap/agentic-ai/tempo-config",
	"Service/agentic-ai/tempo",
	"StatefulSet/agentic-ai/tempo",
	"ConfigMap/agentic-ai/grafana-datasources",
	"ConfigMap/agentic-ai/grafana-dashboard-provider",
	"ConfigMap/agentic-ai/grafana-dashboards",
	"Service/agentic-ai/grafana",
	"StatefulSet/agentic-ai/grafana",
}

func TestRenderBaseHasEveryObject(t *testing.T) {
	t.Parallel()
	got := keys(renderDir(t, "manifests"))
	missing, extra := diffSets(got, baseObjects)
	if len(missing) > 0 || len(extra) > 0 {
		t.Errorf("kustomize manifests: missing %s, unexpected %s", list(missing), list(extra))
	}
	if len(got) != len(baseObjects) {
		t.Errorf("rendered %d objects, want %d (duplicates?)", len(got), len(baseObjects))
	}
}

// dataVolumes are the pod volumes holding the user's files: hostPath on kind,
// a ReadWriteMany claim in production.
var dataVolumes = []struct{ workload, volume, hostPath, claim string }{
	{"file-system", "vault", "/mnt/data/vault", "vault-data"},
	{"file-system", "unsorted", "/mnt/data/unsorted", "unsorted-data"},
	{"file-system-agent", "vault", "/mnt/data/vault", "vault-data"},
	{"file-system-agent", "unsorted", "/mnt/data/unsorted", "unsorted-data"},
}

func volume(t *testing.T, w workload, name string) corev1.Volume {
	t.Helper()
	for _, v := range w.Template.Spec.Volumes {
		if v.Name == name {
			return v
		}
	}
	t.Fatalf("%s has no volume %q", w.Name, name)
	return corev1.Volume{}
}

func TestBaseMountsDataFoldersWithHostPath(t *testing.T) {
	t.Parallel()
	ws := workloads(t, renderDir(t, "manifests"))
	for _, dv := range dataVolumes {
		v := volume(t, ws[dv.workload], dv.volume)
		if v.HostPath == nil || v.HostPath.Path != dv.hostPath {
			t.Errorf("%s volume %s: want hostPath %s, got %+v", dv.workload, dv.volume, dv.hostPath, v.VolumeSource)
			continue
		}
		if v.HostPath.Type == nil || *v.HostPath.Type != corev1.HostPathDirectoryOrCreate {
			t.Errorf("%s volume %s: hostPath type should be DirectoryOrCreate", dv.workload, dv.volume)
		}
	}
}

func TestProductionOverlayUsesReadWriteManyClaims(t *testing.T) {
	t.Parallel()
	prod := renderDir(t, "deploy/overlays/production")

	// The overlay is the base plus the two claims, minus the kind-only
	// StorageClass, nothing else lost.
	var want []string
	for _, k := range baseObjects {
		if k != "StorageClass//emm-local" {
			want = append(want, k)
		}
	}
	want = append(want, "PersistentVolumeClaim/agentic-ai/vault-data", "PersistentVolumeClaim/agentic-ai/unsorted-data")
	if missing, extra := diffSets(keys(prod), want); len(missing) > 0 || len(extra) > 0 {
		t.Errorf("overlay: missing %s, unexpected %s", list(missing), list(extra))
	}

	ws := workloads(t, prod)
	for _, dv := range dataVolumes {
		v := volume(t, ws[dv.workload], dv.volume)
		if v.HostPath != nil {
			t.Errorf("%s volume %s still has hostPath %s in production", dv.workload, dv.volume, v.HostPath.Path)
		}
		if v.PersistentVolumeClaim == nil || v.PersistentVolumeClaim.ClaimName != dv.claim {
			t.Errorf("%s volume %s: want claim %s, got %+v", dv.workload, dv.volume, dv.claim, v.VolumeSource)
		}
	}
	for _, w := range ws {
		for _, v := range w.Template.Spec.Volumes {
			if v.HostPath != nil {
				t.Errorf("%s %s: hostPath volume %s in production", w.Kind, w.Name, v.Name)
			}
		}
		if w.StatefulSet != nil {
			for _, vct := range w.StatefulSet.Spec.VolumeClaimTemplates {
				if vct.Spec.StorageClassName != nil {
					t.Errorf("StatefulSet %s claim %s: storageClassName %q in production, want the cluster's default",
						w.Name, vct.Name, *vct.Spec.StorageClassName)
				}
			}
		}
	}
	for _, claim := range []string{"vault-data", "unsorted-data"} {
		o, ok := find(prod, "PersistentVolumeClaim/agentic-ai/"+claim)
		if !ok {
			continue // reported above
		}
		var pvc corev1.PersistentVolumeClaim
		decodeStrict(t, o, &pvc)
		if len(pvc.Spec.AccessModes) != 1 || pvc.Spec.AccessModes[0] != corev1.ReadWriteMany {
			t.Errorf("PVC %s: access modes %v, want [ReadWriteMany] (two pods share it)", claim, pvc.Spec.AccessModes)
		}
		if pvc.Spec.Resources.Requests.Storage().IsZero() {
			t.Errorf("PVC %s: no storage request", claim)
		}
	}
}

// The kustomization must list every manifest file, in numbered order, so
// applying the files one by one and applying the kustomization agree.
func TestKustomizationListsEveryFileInOrder(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(testenv.RepoRoot(t), "manifests")
	raw, err := os.ReadFile(filepath.Join(dir, "kustomization.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var k struct {
		Resources []string `json:"resources"`
	}
	if err := yaml.Unmarshal(raw, &k); err != nil {
		t.Fatalf("kustomization.yaml: %v", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, e := range entries {
		if e.IsDir() || e.Name() == "kustomization.yaml" {
			continue
		}
		files = append(files, e.Name())
		if !strings.HasSuffix(e.Name(), ".yaml") || len(e.Name()) < 3 || e.Name()[0] < '0' || e.Name()[0] > '9' || e.Name()[1] < '0' || e.Name()[1] > '9' {
			t.Errorf("%s: manifest files are named NN-*.yaml (NN = apply order)", e.Name())
		}
	}
	if missing, extra := diffSets(k.Resources, files); len(missing) > 0 || len(extra) > 0 {
		t.Errorf("kustomization.yaml: files not listed %s, listed but absent %s", list(missing), list(extra))
	}
	if !sort.StringsAreSorted(k.Resources) {
		t.Errorf("kustomization.yaml resources are not in numbered order: %v", k.Resources)
	}
}
