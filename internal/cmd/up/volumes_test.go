package up_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/kind/pkg/apis/config/v1alpha4"

	"github.com/emmdev/emmdev/internal/cluster"
	"github.com/emmdev/emmdev/internal/cluster/localpathtest"
	"github.com/emmdev/emmdev/internal/testcp"
)

// startProvisioner runs kind's local-path provisioner (built from its
// module) on the plane, its node paths mapped through the test
// repository's effective kind config, the same cluster.Resolve up uses.
func startProvisioner(t *testing.T, cp *testcp.ControlPlane, r *testRepo) *localpathtest.Provisioner {
	t.Helper()
	bin := localpathtest.Build(t)
	cfg, err := cluster.LoadConfig(filepath.Join(r.dir, cluster.ConfigFile))
	if err != nil {
		t.Fatal(err)
	}
	eff, _, err := cluster.Resolve(cfg, r.dir, cluster.FolderOverrides{})
	if err != nil {
		t.Fatal(err)
	}
	var mounts []v1alpha4.Mount
	for _, n := range eff.Nodes {
		mounts = append(mounts, n.ExtraMounts...)
	}
	return localpathtest.Start(t, bin, cp.Clientset, cp.KubeconfigPath, localpathtest.Options{Mounts: mounts, NodeDisk: t.TempDir()})
}

// claimPV returns the PersistentVolume bound to claim.
func claimPV(t *testing.T, cs *testcp.ControlPlane, claim string) *corev1.PersistentVolume {
	t.Helper()
	ctx := context.Background()
	pvc, err := cs.Clientset.CoreV1().PersistentVolumeClaims(platformNS).Get(ctx, claim, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if pvc.Spec.VolumeName == "" {
		t.Fatalf("claim %s is not bound", claim)
	}
	pv, err := cs.Clientset.CoreV1().PersistentVolumes().Get(ctx, pvc.Spec.VolumeName, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return pv
}

// testVolumesOutliveWipe: each claim of the platform was provisioned by
// kind's provisioner into a folder of its own, named namespace/claim, in
// the host folder kind-config.yaml mounts. Then everything in the cluster
// goes (namespace, claims, volumes, the StorageClass, the provisioner's
// config): with reclaimPolicy Retain the provisioner removes no folder,
// and after up the same claim gets a new volume on the same folder, with
// the data in it.
func testVolumesOutliveWipe(t *testing.T, cp *testcp.ControlPlane, r *testRepo, lpp *localpathtest.Provisioner, args []string) {
	ctx := context.Background()
	volumes := filepath.Join(r.dir, "data", "volumes")
	for _, claim := range []string{"data-redis-cache-0", "data-prometheus-0", "data-tempo-0", "data-grafana-0"} {
		pv := claimPV(t, cp, claim)
		if pv.Spec.HostPath == nil || pv.Spec.PersistentVolumeReclaimPolicy != corev1.PersistentVolumeReclaimRetain {
			t.Errorf("claim %s: volume %s is %+v, reclaim %s; want a hostPath, Retain", claim, pv.Name, pv.Spec.PersistentVolumeSource, pv.Spec.PersistentVolumeReclaimPolicy)
			continue
		}
		host, onHost := lpp.HostPath(pv.Spec.HostPath.Path)
		if want := filepath.Join(volumes, platformNS, claim); !onHost || host != want {
			t.Errorf("claim %s: node path %s is %s on the host (on host: %v), want %s", claim, pv.Spec.HostPath.Path, host, onHost, want)
		}
		if fi, err := os.Stat(host); err != nil || !fi.IsDir() {
			t.Errorf("claim %s: the provisioner's setup made no folder %s: %v", claim, host, err)
		}
	}
	redis := claimPV(t, cp, "data-redis-cache-0")
	folder, _ := lpp.HostPath(redis.Spec.HostPath.Path)
	dump := make([]byte, 64<<10)
	if _, err := rand.Read(dump); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(folder, "dump.rdb"), dump, 0o644); err != nil {
		t.Fatal(err)
	}

	// The full wipe: what `emmdev down` takes with the node.
	cs := cp.Clientset
	if err := cs.CoreV1().Namespaces().Delete(ctx, platformNS, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	err := wait.PollUntilContextTimeout(ctx, 500*time.Millisecond, 2*time.Minute, true, func(ctx context.Context) (bool, error) {
		_, err := cs.CoreV1().Namespaces().Get(ctx, platformNS, metav1.GetOptions{})
		return apierrors.IsNotFound(err), nil
	})
	if err != nil {
		t.Fatalf("namespace %s not gone: %v", platformNS, err)
	}
	deleteClassVolumes(t, cp, "emm-local")
	if err := cs.StorageV1().StorageClasses().Delete(ctx, "emm-local", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(lpp.Log(), "-delete-") {
		t.Errorf("the provisioner ran a teardown (reclaim Delete?):\n%s", lpp.Log())
	}
	if got, err := os.ReadFile(filepath.Join(folder, "dump.rdb")); err != nil || !bytes.Equal(got, dump) {
		t.Fatalf("the claim's data did not survive the wipe: %v", err)
	}

	code, out, errOut := r.run(t, args...)
	if code != 0 {
		t.Fatalf("up after the wipe: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	again := claimPV(t, cp, "data-redis-cache-0")
	if again.UID == redis.UID {
		t.Fatalf("the volume %s survived the wipe; the test wiped nothing", redis.Name)
	}
	if host, _ := lpp.HostPath(again.Spec.HostPath.Path); host != folder {
		t.Errorf("after the wipe claim data-redis-cache-0 is at %s, before at %s", host, folder)
	}
	if got, err := os.ReadFile(filepath.Join(folder, "dump.rdb")); err != nil || !bytes.Equal(got, dump) {
		t.Errorf("the claim does not find its data after up: %v", err)
	}
}

// deleteClassVolumes deletes the PersistentVolumes of a StorageClass and
// waits until they are gone.
func deleteClassVolumes(t *testing.T, cp *testcp.ControlPlane, class string) {
	t.Helper()
	ctx := context.Background()
	pvs, err := cp.Clientset.CoreV1().PersistentVolumes().List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, pv := range pvs.Items {
		if pv.Spec.StorageClassName == class {
			if err := cp.Clientset.CoreV1().PersistentVolumes().Delete(ctx, pv.Name, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
				t.Fatal(err)
			}
		}
	}
	err = wait.PollUntilContextTimeout(ctx, 500*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		pvs, err := cp.Clientset.CoreV1().PersistentVolumes().List(ctx, metav1.ListOptions{})
		if err != nil {
			return false, nil
		}
		for _, pv := range pvs.Items {
			if pv.Spec.StorageClassName == class {
				return false, nil
			}
		}
		return true, nil
	})
	if err != nil {
		t.Fatalf("volumes of %s not gone: %v", class, err)
	}
}

// testConflicts: someone scaled the confluence Deployment by hand (an
// Update by another field manager, as kubectl scale or edit does). up on a
// cluster it did not make names the field and its owner, exits 1 and
// leaves the field alone; --force-conflicts takes it back.
func testConflicts(t *testing.T, cp *testcp.ControlPlane, r *testRepo, args []string) {
	ctx := context.Background()
	deps := cp.Clientset.AppsV1().Deployments(platformNS)
	d, err := deps.Get(ctx, "confluence", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := *d.Spec.Replicas
	three := int32(3)
	d.Spec.Replicas = &three
	if _, err := deps.Update(ctx, d, metav1.UpdateOptions{FieldManager: "someone-else"}); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := r.run(t, args...)
	if code != 1 {
		t.Fatalf("exit %d, want 1\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	line := regexp.MustCompile(`Deployment agentic-ai/confluence \([^)]*manifests[^)]*:\d+\): \.spec\.replicas is owned by "someone-else"`)
	if !line.MatchString(out) || !strings.Contains(out, "--force-conflicts") {
		t.Errorf("stdout does not name the field, its owner and the way out:\n%s", out)
	}
	if d, _ := deps.Get(ctx, "confluence", metav1.GetOptions{}); *d.Spec.Replicas != 3 {
		t.Errorf("replicas %d: up took the field over", *d.Spec.Replicas)
	}
	code, out, errOut = r.run(t, append(args, "--force-conflicts")...)
	if code != 0 {
		t.Fatalf("--force-conflicts: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	if d, _ := deps.Get(ctx, "confluence", metav1.GetOptions{}); *d.Spec.Replicas != want {
		t.Errorf("--force-conflicts: replicas %d, want %d from manifests/", *d.Spec.Replicas, want)
	}
}
