package platform

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"text/template"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/emmdev/emmdev/internal/cluster"
	"github.com/emmdev/emmdev/internal/cluster/localpathtest"
)

// kindNodePaths are the folders the local-path provisioner kind ships
// keeps volumes in: the nodePathMap of the local-path-config ConfigMap kind
// installs, read from kind's own source.
func kindNodePaths(t *testing.T) []string {
	t.Helper()
	data, _ := localpathtest.KindConfig(t)
	var cfg struct {
		NodePathMap []struct {
			Node  string   `json:"node"`
			Paths []string `json:"paths"`
		} `json:"nodePathMap"`
	}
	if err := json.Unmarshal([]byte(data["config.json"]), &cfg); err != nil {
		t.Fatalf("kind's config.json: %v", err)
	}
	for _, n := range cfg.NodePathMap {
		if n.Node == "DEFAULT_PATH_FOR_NON_LISTED_NODES" {
			return n.Paths
		}
	}
	t.Fatal("kind's config.json has no default node path")
	return nil
}

// TestStatefulClaimsLandInTheVolumesMount: every claim of the StatefulSets
// uses the platform's StorageClass, which retains its volumes and puts
// each claim at a folder of its own, named by namespace and claim, inside
// the node path that kind-config.yaml mounts from the host. The folder is
// computed from the class's pathPattern the way the provisioner computes it
// (a text/template over the PV name and the claim's metadata); the real
// provisioner does it end to end in TestPersistentVolumesOnTheHost.
func TestStatefulClaimsLandInTheVolumesMount(t *testing.T) {
	t.Parallel()
	objs := renderDir(t, "manifests")
	o, ok := find(objs, "StorageClass//emm-local")
	if !ok {
		t.Fatal("StorageClass emm-local missing")
	}
	var sc storagev1.StorageClass
	decodeStrict(t, o, &sc)
	if sc.Provisioner != "rancher.io/local-path" {
		t.Errorf("provisioner %q, want kind's rancher.io/local-path", sc.Provisioner)
	}
	if sc.ReclaimPolicy == nil || *sc.ReclaimPolicy != corev1.PersistentVolumeReclaimRetain {
		t.Errorf("reclaimPolicy %v, want Retain: Delete makes the provisioner remove the folder with the claim", sc.ReclaimPolicy)
	}
	if sc.VolumeBindingMode == nil || *sc.VolumeBindingMode != storagev1.VolumeBindingWaitForFirstConsumer {
		t.Errorf("volumeBindingMode %v, want WaitForFirstConsumer (the provisioner needs the node)", sc.VolumeBindingMode)
	}
	// The provisioner refuses a nodePath its config does not list.
	kindNodePath := sc.Parameters["nodePath"]
	if paths := kindNodePaths(t); !slices.Contains(paths, kindNodePath) {
		t.Errorf("nodePath %q is not one of the paths kind's provisioner is configured with %v", kindNodePath, paths)
	}
	tmpl, err := template.New("pathPattern").Parse(sc.Parameters["pathPattern"])
	if err != nil {
		t.Fatalf("pathPattern: %v", err)
	}
	hostFolder := ""
	for _, m := range loadKindConfig(t).Nodes[0].ExtraMounts {
		if m.ContainerPath == cluster.VolumesContainerPath {
			hostFolder = m.HostPath
		}
	}
	if hostFolder == "" {
		t.Fatalf("kind-config.yaml does not mount %s", cluster.VolumesContainerPath)
	}
	seen := map[string]string{}
	n := 0
	for _, w := range workloads(t, objs) {
		if w.StatefulSet == nil {
			continue
		}
		for _, vct := range w.StatefulSet.Spec.VolumeClaimTemplates {
			n++
			if vct.Spec.StorageClassName == nil || *vct.Spec.StorageClassName != sc.Name {
				t.Errorf("StatefulSet %s claim %s: storageClassName %v, want %s", w.Name, vct.Name, vct.Spec.StorageClassName, sc.Name)
				continue
			}
			claim := fmt.Sprintf("%s-%s-0", vct.Name, w.Name) // the StatefulSet controller's claim name
			var b bytes.Buffer
			data := struct {
				PVName string
				PVC    metav1.ObjectMeta
			}{"pvc-0000", metav1.ObjectMeta{Name: claim, Namespace: "agentic-ai"}}
			if err := tmpl.Execute(&b, data); err != nil {
				t.Fatal(err)
			}
			nodeFolder := filepath.Join(kindNodePath, b.String())
			rel, err := filepath.Rel(cluster.VolumesContainerPath, nodeFolder)
			if err != nil || strings.HasPrefix(rel, "..") {
				t.Errorf("claim %s lands at %s in the node, outside the host mount %s", claim, nodeFolder, cluster.VolumesContainerPath)
				continue
			}
			if rel != filepath.Join("agentic-ai", claim) {
				t.Errorf("claim %s lands at %s, want the stable agentic-ai/%s", claim, rel, claim)
			}
			if other, dup := seen[rel]; dup {
				t.Errorf("claims %s and %s share the folder %s", other, claim, rel)
			}
			seen[rel] = claim
		}
	}
	if n != 4 {
		t.Errorf("%d claims checked, want Redis, Prometheus, Tempo and Grafana", n)
	}
}
