package lint

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	yaml "go.yaml.in/yaml/v3"
)

// KindConfigName is the file the hostPath rule looks for.
const KindConfigName = "kind-config.yaml"

// FindKindConfig walks up from start (a file or directory) looking for
// kind-config.yaml. The walk ends at the enclosing git root; outside a git
// repository it ends at cwd when cwd is an ancestor of start. It returns ""
// when no file is found.
func FindKindConfig(start, cwd string) (string, error) {
	dir, err := filepath.Abs(start)
	if err != nil {
		return "", err
	}
	if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
		dir = filepath.Dir(dir)
	}
	var chain []string
	atGitRoot := false
	for d := dir; ; {
		chain = append(chain, d)
		if _, err := os.Stat(filepath.Join(d, ".git")); err == nil {
			atGitRoot = true
			break
		}
		parent := filepath.Dir(d)
		if parent == d {
			break
		}
		d = parent
	}
	if !atGitRoot && cwd != "" {
		if cwd, err = filepath.Abs(cwd); err != nil {
			return "", err
		}
		if i := slices.Index(chain, cwd); i >= 0 {
			chain = chain[:i+1]
		}
	}
	for _, d := range chain {
		p := filepath.Join(d, KindConfigName)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		} else if !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
	}
	return "", nil
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
