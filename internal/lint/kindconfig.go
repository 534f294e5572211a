package lint

import (
	"fmt"
	"io/fs"
	"os"

	yaml "go.yaml.in/yaml/v3"

	"github.com/emmdev/emmdev/internal/lint/loader"
	"github.com/emmdev/emmdev/internal/repo"
)

// KindConfigName is the file the hostPath rule looks for.
const KindConfigName = "kind-config.yaml"

// FindKindConfig walks up from start (a file or directory) looking for
// kind-config.yaml. The walk ends at the enclosing git root; outside a git
// repository it ends at cwd when cwd is an ancestor of start. It returns ""
// when no file is found.
func FindKindConfig(start, cwd string) (string, error) {
	return repo.FindUp(start, cwd, KindConfigName, func(fs.FileInfo) bool { return true })
}

// ReadKindMounts returns every nodes[].extraMounts[].containerPath of a kind
// cluster config. A config without any mount yields an empty, non-nil list:
// then every hostPath is reported.
func ReadKindMounts(path string) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading kind config: %w", err)
	}
	var cfg struct {
		Kind  string `yaml:"kind"`
		Nodes []struct {
			ExtraMounts []struct {
				ContainerPath string `yaml:"containerPath"`
			} `yaml:"extraMounts"`
		} `yaml:"nodes"`
	}
	if err := yaml.Unmarshal(data, &cfg); err != nil {
		if line, problem := loader.SyntaxError(data, err.Error()); line > 0 {
			return nil, fmt.Errorf("%s:%d: %s", path, line, problem)
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if cfg.Kind != "Cluster" {
		return nil, fmt.Errorf("%s: not a kind cluster config (kind: %q, want Cluster)", path, cfg.Kind)
	}
	mounts := []string{}
	for _, n := range cfg.Nodes {
		for _, m := range n.ExtraMounts {
			if m.ContainerPath != "" {
				mounts = append(mounts, m.ContainerPath)
			}
		}
	}
	return mounts, nil
}
