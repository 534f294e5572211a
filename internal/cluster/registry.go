package cluster

import (
	"fmt"
	"strings"

	"sigs.k8s.io/kind/pkg/cluster/nodes"
	"sigs.k8s.io/kind/pkg/cluster/nodeutils"
	"sigs.k8s.io/kind/pkg/exec"
)

// The local registry, as kind's and ctlptl's docs set it up: a registry:2
// container on the host at localhost:5001, reachable from the nodes as
// kind-registry:5000 on the kind network.
const (
	RegistryName      = "kind-registry"
	RegistryHostPort  = 5001
	RegistryImage     = "registry:2"
	registryNetwork   = "kind"
	registryCertsDir  = "/etc/containerd/certs.d"
	registryHostAlias = "localhost:5001"
)

// registryConfigPatch points containerd at /etc/containerd/certs.d, where the
// hosts.toml for localhost:5001 goes (kind's documented local-registry patch).
const registryConfigPatch = `[plugins."io.containerd.grpc.v1.cri".registry]
  config_path = "/etc/containerd/certs.d"`

func hasRegistryPatch(patches []string) bool {
	for _, p := range patches {
		if strings.Contains(p, "config_path") && strings.Contains(p, registryCertsDir) {
			return true
		}
	}
	return false
}

// registryHostsTOML maps localhost:5001 inside the nodes (where localhost is
// the node itself) to the registry container on the kind network.
func registryHostsTOML() string {
	return fmt.Sprintf("[host.%q]\n", fmt.Sprintf("http://%s:5000", RegistryName))
}

// localRegistryHostingYAML is the KEP-1755 ConfigMap that tells Tilt and
// other tools where to push.
func localRegistryHostingYAML() string {
	return fmt.Sprintf(`apiVersion: v1
kind: ConfigMap
metadata:
  name: local-registry-hosting
  namespace: kube-public
data:
  localRegistryHosting.v1: |
    host: "localhost:%d"
    help: "https://kind.sigs.k8s.io/docs/user/local-registry/"
`, RegistryHostPort)
}

// EnsureRegistry starts the registry container if it is not running,
// connects it to the kind network, writes hosts.toml on every node and
// publishes the KEP-1755 ConfigMap. Each part is idempotent.
func EnsureRegistry(nodeList []nodes.Node) error {
	running, _ := exec.OutputLines(exec.Command("docker", "inspect", "-f", "{{.State.Running}}", RegistryName))
	switch {
	case len(running) == 1 && running[0] == "true":
	case len(running) == 1 && running[0] == "false":
		if err := exec.Command("docker", "start", RegistryName).Run(); err != nil {
			return fmt.Errorf("starting registry container %s: %w", RegistryName, err)
		}
	default:
		if err := exec.Command("docker", "run", "-d", "--restart=always",
			"-p", fmt.Sprintf("127.0.0.1:%d:5000", RegistryHostPort),
			"--network", "bridge", "--name", RegistryName, RegistryImage).Run(); err != nil {
			return fmt.Errorf("starting registry container %s: %w", RegistryName, err)
		}
	}
	nets, _ := exec.OutputLines(exec.Command("docker", "inspect", "-f",
		fmt.Sprintf("{{json .NetworkSettings.Networks.%s}}", registryNetwork), RegistryName))
	if len(nets) != 1 || nets[0] == "null" {
		if err := exec.Command("docker", "network", "connect", registryNetwork, RegistryName).Run(); err != nil {
			return fmt.Errorf("connecting %s to the %s network: %w", RegistryName, registryNetwork, err)
		}
	}
	for _, n := range nodeList {
		dest := fmt.Sprintf("%s/%s/hosts.toml", registryCertsDir, registryHostAlias)
		if err := nodeutils.WriteFile(n, dest, registryHostsTOML()); err != nil {
			return fmt.Errorf("writing %s on %s: %w", dest, n.String(), err)
		}
	}
	cp, err := controlPlane(nodeList)
	if err != nil {
		return err
	}
	if err := kubectlApply(cp, localRegistryHostingYAML()); err != nil {
		return fmt.Errorf("publishing kube-public/local-registry-hosting: %w", err)
	}
	return nil
}

// DeleteRegistry removes the registry container (down --registry). A
// registry that does not exist is not an error: reports whether it existed.
func DeleteRegistry() (bool, error) {
	if err := exec.Command("docker", "inspect", "-f", "{{.Id}}", RegistryName).Run(); err != nil {
		return false, nil // inspect fails exactly when there is no such container
	}
	if err := exec.Command("docker", "rm", "-f", RegistryName).Run(); err != nil {
		return true, fmt.Errorf("removing registry container %s: %w", RegistryName, err)
	}
	return true, nil
}
