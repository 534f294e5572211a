package testcp

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"sort"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/emmdev/emmdev/internal/atomicfile"
)

// KwokNodeName is the one simulated node; every schedulable pod lands there.
const KwokNodeName = "testcp-kwok-node"

// StorageClassName is the default StorageClass: kwok binds its claims at
// once (stages/pvc-provision.yaml), so StatefulSets with volumeClaimTemplates
// run.
const StorageClassName = "kwok-volume"

// Pod annotations that tune the crash loop of a CrashLoopLabel pod (Go
// durations such as "30s"): how long containers run before they crash
// (default 1s) and how long they back off before the next start (default 2s).
const (
	CrashLoopRunAnnotation     = "emmdev.test/crashloop-run"
	CrashLoopBackOffAnnotation = "emmdev.test/crashloop-backoff"
)

// kwokNodeAnnotation marks the nodes kwok manages (--manage-nodes-with-annotation-selector).
const kwokNodeAnnotation = "kwok.x-k8s.io/node"

// stageFiles holds the kwok Stages: kwok's own fast node, pod and volume
// stages plus the crash-loop stages. Pod stages select on the crash-loop
// label so that exactly one applies to any pod.
//
//go:embed stages/*.yaml
var stageFiles embed.FS

// kwokConfig joins every stage into one multi-document file for --config.
func kwokConfig() ([]byte, error) {
	names, err := fs.Glob(stageFiles, "stages/*.yaml")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var buf bytes.Buffer
	for _, n := range names {
		data, err := stageFiles.ReadFile(n)
		if err != nil {
			return nil, err
		}
		buf.WriteString("---\n")
		buf.Write(bytes.TrimSpace(data))
		buf.WriteString("\n")
	}
	return buf.Bytes(), nil
}

func (p *plane) startKwok(ctx context.Context) error {
	cfg, err := kwokConfig()
	if err != nil {
		return fmt.Errorf("stages: %w", err)
	}
	extra, err := p.opts.kwokKubeletConfig()
	if err != nil {
		return fmt.Errorf("kwok config: %w", err)
	}
	cfg = append(cfg, extra...)
	if err := p.installLogsCRD(ctx); err != nil {
		return err
	}
	if err := atomicfile.Write(p.path("kwok.yaml"), cfg, 0o644); err != nil {
		return err
	}
	// kwok also reads ~/.kwok/kwok.yaml: a private HOME keeps a developer's
	// own kwok setup out of the tests.
	home := p.path("kwok-home")
	if err := os.MkdirAll(home, 0o700); err != nil {
		return err
	}
	cs, err := kubernetes.NewForConfig(p.config)
	if err != nil {
		return err
	}
	return retryOnPortClash(func() error {
		port, err := freePort()
		if err != nil {
			return err
		}
		healthz := "http://127.0.0.1:" + strconv.Itoa(port) + "/healthz"
		args := append([]string{
			"--kubeconfig=" + p.path("admin.kubeconfig"),
			"--config=" + p.path("kwok.yaml"),
			"--manage-all-nodes=false",
			"--manage-nodes-with-annotation-selector=" + kwokNodeAnnotation + "=fake",
			// Room for the 500 pods the node allows; kwok's default is a /24.
			"--cidr=10.244.0.0/16",
			// Its server (plain HTTP on loopback, and TLS on the same port
			// with the kubelet features) starts only after every controller
			// has initialised: /healthz is kwok's readiness.
			"--server-address=127.0.0.1:" + strconv.Itoa(port),
		}, p.kwokKubeletArgs(port)...)
		p.kwok = p.newProcess("kwok", args...)
		p.kwokPort = port
		p.kwok.env = append(os.Environ(), "HOME="+home)
		if err := p.kwok.start(); err != nil {
			return err
		}
		if err := ensureStorageClass(ctx, cs); err != nil {
			return err
		}
		if err := ensureKwokNode(ctx, cs, p.opts.Metrics); err != nil {
			return err
		}
		// Ready: controllers up, and node-initialize played on the node.
		return waitFor(ctx, p.kwok, func(ctx context.Context) error {
			if err := httpOK(ctx, http.DefaultClient, healthz); err != nil {
				return err
			}
			n, err := cs.CoreV1().Nodes().Get(ctx, KwokNodeName, metav1.GetOptions{})
			if err != nil {
				return err
			}
			for _, c := range n.Status.Conditions {
				if c.Type == corev1.NodeReady && c.Status == corev1.ConditionTrue {
					return nil
				}
			}
			return fmt.Errorf("node %s not Ready yet", KwokNodeName)
		})
	})
}

func ensureStorageClass(ctx context.Context, cs kubernetes.Interface) error {
	reclaim := corev1.PersistentVolumeReclaimDelete
	mode := storagev1.VolumeBindingImmediate
	sc := &storagev1.StorageClass{
		ObjectMeta: metav1.ObjectMeta{
			Name:        StorageClassName,
			Annotations: map[string]string{"storageclass.kubernetes.io/is-default-class": "true"},
		},
		Provisioner:       "kwok.x-k8s.io/volume",
		ReclaimPolicy:     &reclaim,
		VolumeBindingMode: &mode,
	}
	_, err := cs.StorageV1().StorageClasses().Create(ctx, sc, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("storage class: %w", err)
	}
	return nil
}

func ensureKwokNode(ctx context.Context, cs kubernetes.Interface, metrics bool) error {
	res := corev1.ResourceList{
		corev1.ResourceCPU:              resource.MustParse("32"),
		corev1.ResourceMemory:           resource.MustParse("256Gi"),
		corev1.ResourcePods:             resource.MustParse("500"),
		corev1.ResourceEphemeralStorage: resource.MustParse("1Ti"),
	}
	node := &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{
			Name:        KwokNodeName,
			Annotations: map[string]string{kwokNodeAnnotation: "fake", "node.alpha.kubernetes.io/ttl": "0"},
			Labels: map[string]string{
				"kubernetes.io/hostname": KwokNodeName,
				"kubernetes.io/os":       "linux",
				"kubernetes.io/arch":     "amd64",
				"type":                   "kwok",
			},
		},
		// Nodes may carry status on create; node-initialize keeps it.
		Status: corev1.NodeStatus{Allocatable: res, Capacity: res},
	}
	if metrics {
		// metrics-server reads the node's resource metrics at this path of
		// the kubelet address instead of /metrics/resource (kwok serves
		// every node on one port).
		node.Annotations["metrics.k8s.io/resource-metrics-path"] = resourceMetricsPath
	}
	_, err := cs.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("create node: %w", err)
	}
	return nil
}
