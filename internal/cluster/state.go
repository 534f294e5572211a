package cluster

import (
	"errors"
	"fmt"
	"strings"

	"sigs.k8s.io/kind/pkg/cluster/nodes"
	"sigs.k8s.io/kind/pkg/cluster/nodeutils"
	"sigs.k8s.io/kind/pkg/exec"
	"sigs.k8s.io/yaml"
)

// Where the effective config lives inside the cluster. kind's API offers no
// way to label the node containers, and Kubernetes node labels would only
// hold a hash, not the config to diff against; so emmdev writes a ConfigMap
// right after kind created the cluster. It is read and written with kubectl
// inside the control-plane node (kind's own way of talking to a new cluster),
// so no host kubeconfig or port mapping is needed. A cluster without it was
// not made by emmdev, or emmdev was interrupted after creation: that is
// reported as "unknown config" and needs --recreate.
const (
	StateNamespace = "kube-system"
	StateConfigMap = "emmdev-cluster-config"
	stateHashKey   = "hash"
	stateConfigKey = "config.yaml"
	adminConf      = "--kubeconfig=/etc/kubernetes/admin.conf"
)

// Stored is what an earlier `emmdev up` recorded in the cluster.
type Stored struct {
	Hash   string
	Config []byte
}

func controlPlane(nodeList []nodes.Node) (nodes.Node, error) {
	cps, err := nodeutils.ControlPlaneNodes(nodeList)
	if err != nil {
		return nil, err
	}
	if len(cps) == 0 {
		return nil, errors.New("cluster has no control-plane node")
	}
	return cps[0], nil
}

func kubectlApply(n nodes.Node, manifest string) error {
	return n.Command("kubectl", adminConf, "apply", "-f", "-").SetStdin(strings.NewReader(manifest)).Run()
}

// ReadStored returns the stored config, or nil when the cluster has none.
func ReadStored(nodeList []nodes.Node) (*Stored, error) {
	cp, err := controlPlane(nodeList)
	if err != nil {
		return nil, err
	}
	out, err := exec.Output(cp.Command("kubectl", adminConf, "get", "configmap",
		"-n", StateNamespace, StateConfigMap, "-o", "yaml"))
	if err != nil {
		if rerr := exec.RunErrorForError(err); rerr != nil && strings.Contains(string(rerr.Output), "NotFound") {
			return nil, nil
		}
		return nil, fmt.Errorf("reading %s/%s in the cluster (is node container %s running? `docker start %s`): %w",
			StateNamespace, StateConfigMap, cp.String(), cp.String(), err)
	}
	var cm struct {
		Data map[string]string `json:"data"`
	}
	if err := yaml.Unmarshal(out, &cm); err != nil {
		return nil, fmt.Errorf("decoding %s/%s: %w", StateNamespace, StateConfigMap, err)
	}
	return &Stored{Hash: cm.Data[stateHashKey], Config: []byte(cm.Data[stateConfigKey])}, nil
}

// WriteStored records the effective config and its hash in the cluster.
func WriteStored(nodeList []nodes.Node, s Stored) error {
	cp, err := controlPlane(nodeList)
	if err != nil {
		return err
	}
	cm := map[string]any{
		"apiVersion": "v1",
		"kind":       "ConfigMap",
		"metadata": map[string]any{
			"name":      StateConfigMap,
			"namespace": StateNamespace,
			"labels":    map[string]any{"app.kubernetes.io/managed-by": "emmdev"},
		},
		"data": map[string]any{stateHashKey: s.Hash, stateConfigKey: string(s.Config)},
	}
	data, err := yaml.Marshal(cm)
	if err != nil {
		return err
	}
	if err := kubectlApply(cp, string(data)); err != nil {
		return fmt.Errorf("recording the cluster config in %s/%s: %w", StateNamespace, StateConfigMap, err)
	}
	return nil
}
