// Package cluster creates, reuses or refuses the kind cluster that runs EMM,
// through kind's public Go API (sigs.k8s.io/kind/pkg/cluster): it decodes
// kind-config.yaml with kind's v1alpha4 types, turns the relative host folders
// into absolute paths under the repository, checks the runtime, folders and
// ports before anything is created, keeps a hash of the effective config in
// the cluster to tell "same cluster, reuse it" from "config changed, refuse",
// and runs the local image registry the dev loop pushes to.
package cluster

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"sigs.k8s.io/kind/pkg/apis/config/v1alpha4"
	"sigs.k8s.io/yaml"

	"github.com/emmdev/emmdev/internal/lint/loader"
)

// DefaultName is the cluster name when kind-config.yaml sets none.
const DefaultName = "emm"

// ConfigFile is the kind config at the repository root.
const ConfigFile = "kind-config.yaml"

// Container paths of the data folders the platform mounts into the node.
const (
	VaultContainerPath    = "/mnt/data/vault"
	UnsortedContainerPath = "/mnt/data/unsorted"
	// VolumesContainerPath is where the platform's StorageClass puts every
	// claim: the local-path provisioner kind ships keeps volumes under
	// /var/local-path-provisioner (its nodePathMap), and the StorageClass's
	// pathPattern starts with "emm/", so the claims land in this mount and
	// live on the host.
	VolumesContainerPath = "/var/local-path-provisioner/emm"
)

// LoadConfig decodes a kind config with kind's v1alpha4 types, strictly:
// an unknown or misspelt field is an error with its line, not silently dropped.
func LoadConfig(path string) (*v1alpha4.Cluster, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading kind config: %w", err)
	}
	return ParseConfig(path, data)
}

// ParseConfig is LoadConfig on bytes; name is used in error messages.
func ParseConfig(name string, data []byte) (*v1alpha4.Cluster, error) {
	var tm struct {
		Kind       string `json:"kind"`
		APIVersion string `json:"apiVersion"`
	}
	if err := yaml.Unmarshal(data, &tm); err != nil {
		return nil, yamlError(name, data, err)
	}
	if tm.Kind != "Cluster" || tm.APIVersion != "kind.x-k8s.io/v1alpha4" {
		return nil, fmt.Errorf("%s:1: want kind: Cluster, apiVersion: kind.x-k8s.io/v1alpha4; got kind %q, apiVersion %q", name, tm.Kind, tm.APIVersion)
	}
	cfg := &v1alpha4.Cluster{}
	if err := yaml.UnmarshalStrict(data, cfg); err != nil {
		if field, ok := unknownField(err); ok {
			if line := findKeyLine(data, field); line > 0 {
				return nil, fmt.Errorf("%s:%d: unknown field %q (not in kind's v1alpha4 Cluster)", name, line, field)
			}
		}
		return nil, yamlError(name, data, err)
	}
	return cfg, nil
}

// unknownField extracts X from `json: unknown field "X"`.
func unknownField(err error) (string, bool) {
	_, rest, ok := strings.Cut(err.Error(), `unknown field "`)
	if !ok {
		return "", false
	}
	field, _, ok := strings.Cut(rest, `"`)
	return field, ok
}

// findKeyLine returns the 1-based line where key appears as a YAML key.
func findKeyLine(data []byte, key string) int {
	for i, l := range strings.Split(string(data), "\n") {
		t := strings.TrimLeft(strings.TrimSpace(l), "- ")
		if strings.HasPrefix(t, key+":") {
			return i + 1
		}
	}
	return 0
}

// yamlError turns sigs.k8s.io/yaml's "error converting YAML to JSON: yaml:
// line 5: ..." into "name:5: ..." so the message reads file:line: problem.
// The YAML library's errors carry no type or sentinel worth keeping, so only
// the text is re-shaped.
func yamlError(name string, data []byte, err error) error {
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "error converting YAML to JSON: ")
	msg = strings.TrimPrefix(msg, "error unmarshaling JSON: while decoding JSON: ")
	if line, problem := loader.SyntaxError(data, msg); line > 0 {
		return fmt.Errorf("%s:%d: %s", name, line, problem)
	}
	return fmt.Errorf("%s: %s", name, msg)
}

// Folders are the host data folders, already absolute.
type Folders struct {
	Vault, Unsorted, Volumes string
}

// List names every folder with its role, in a fixed order.
func (f Folders) List() [][2]string {
	return [][2]string{{"vault", f.Vault}, {"unsorted", f.Unsorted}, {"volumes", f.Volumes}}
}

// FolderOverrides come from --vault-dir/--unsorted-dir/--volumes-dir and
// EMMDEV_VAULT_DIR/EMMDEV_UNSORTED_DIR/EMMDEV_VOLUMES_DIR (flags win).
// Relative overrides resolve against the working directory, like any
// command-line path.
type FolderOverrides struct {
	Vault, Unsorted, Volumes string
}

// NewFolderOverrides picks each folder from its flag, else its environment
// variable, and makes a relative one absolute against wd. up and down share
// it so both name the same folders.
func NewFolderOverrides(vaultFlag, unsortedFlag, volumesFlag string, getenv func(string) string, wd string) FolderOverrides {
	pick := func(flag, env string) string {
		v := flag
		if v == "" && getenv != nil {
			v = getenv(env)
		}
		if v != "" && !filepath.IsAbs(v) {
			v = filepath.Join(wd, v)
		}
		return v
	}
	return FolderOverrides{
		Vault:    pick(vaultFlag, "EMMDEV_VAULT_DIR"),
		Unsorted: pick(unsortedFlag, "EMMDEV_UNSORTED_DIR"),
		Volumes:  pick(volumesFlag, "EMMDEV_VOLUMES_DIR"),
	}
}

// Resolve returns the effective config: a deep copy of cfg with kind's
// defaults, every relative extraMount hostPath made absolute against
// repoRoot (or replaced by an override for the data mounts), and
// the containerd registry config dir enabled for the local registry. It also
// reports the data folders.
func Resolve(cfg *v1alpha4.Cluster, repoRoot string, ov FolderOverrides) (*v1alpha4.Cluster, Folders, error) {
	eff := cfg.DeepCopy()
	if eff.Name == "" {
		eff.Name = DefaultName
	}
	v1alpha4.SetDefaultsCluster(eff)
	var f Folders
	for i := range eff.Nodes {
		for j := range eff.Nodes[i].ExtraMounts {
			m := &eff.Nodes[i].ExtraMounts[j]
			if m.HostPath == "" {
				return nil, f, fmt.Errorf("%s: nodes[%d].extraMounts[%d] has no hostPath", ConfigFile, i, j)
			}
			switch m.ContainerPath {
			case VaultContainerPath:
				if ov.Vault != "" {
					m.HostPath = ov.Vault
				}
			case UnsortedContainerPath:
				if ov.Unsorted != "" {
					m.HostPath = ov.Unsorted
				}
			case VolumesContainerPath:
				if ov.Volumes != "" {
					m.HostPath = ov.Volumes
				}
			}
			if !filepath.IsAbs(m.HostPath) {
				m.HostPath = filepath.Join(repoRoot, m.HostPath)
			}
			m.HostPath = filepath.Clean(m.HostPath)
			switch m.ContainerPath {
			case VaultContainerPath:
				f.Vault = m.HostPath
			case UnsortedContainerPath:
				f.Unsorted = m.HostPath
			case VolumesContainerPath:
				f.Volumes = m.HostPath
			}
		}
	}
	var missing []string
	for _, want := range [][2]string{{VaultContainerPath, f.Vault}, {UnsortedContainerPath, f.Unsorted}, {VolumesContainerPath, f.Volumes}} {
		if want[1] == "" {
			missing = append(missing, want[0])
		}
	}
	if len(missing) > 0 {
		return nil, f, fmt.Errorf("%s: no extraMounts for %s: the platform's data would live inside the node and be lost with it (add a hostPath for each, see the repository's kind-config.yaml)",
			ConfigFile, strings.Join(missing, ", "))
	}
	if !hasRegistryPatch(eff.ContainerdConfigPatches) {
		eff.ContainerdConfigPatches = append(eff.ContainerdConfigPatches, registryConfigPatch)
	}
	return eff, f, nil
}

// MountArgs lists host:container for every extra mount, for plans and -v.
func MountArgs(cfg *v1alpha4.Cluster) []string {
	var out []string
	for _, n := range cfg.Nodes {
		for _, m := range n.ExtraMounts {
			out = append(out, m.HostPath+":"+m.ContainerPath)
		}
	}
	return out
}

// Render is the effective config as YAML: what is stored in the cluster and
// diffed against on the next `up`.
func Render(cfg *v1alpha4.Cluster) ([]byte, error) {
	return yaml.Marshal(cfg)
}

// Hash identifies an effective config. It is computed over the canonical JSON
// of the v1alpha4 struct, so formatting and comments in the file do not
// matter, but every field kind acts on does.
func Hash(cfg *v1alpha4.Cluster) (string, error) {
	data, err := json.Marshal(cfg)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:]), nil
}

// Diff is a minimal line diff ("- old", "+ new") of two YAML renderings, for
// telling the user what changed since the cluster was created.
func Diff(old, cur []byte) string {
	a := strings.Split(strings.TrimRight(string(old), "\n"), "\n")
	b := strings.Split(strings.TrimRight(string(cur), "\n"), "\n")
	// LCS table; configs are a few dozen lines.
	lcs := make([][]int, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out bytes.Buffer
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			i++
			j++
		case i < len(a) && (j == len(b) || lcs[i+1][j] >= lcs[i][j+1]):
			fmt.Fprintf(&out, "  - %s\n", a[i])
			i++
		default:
			fmt.Fprintf(&out, "  + %s\n", b[j])
			j++
		}
	}
	return out.String()
}
