package kustomize

import (
	"fmt"
	"path/filepath"
	"strings"

	yaml "go.yaml.in/yaml/v3"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// checkOffline walks the kustomization tree from dir before kustomize runs
// and refuses anything kustomize would fetch: a resource, base or
// component that is not a local path (git and http bases), a file
// reference with a URL (patches, generator sources, replacements), and
// helm charts. Without this, kustomize would clone or download them.
func checkOffline(fsys filesys.FileSystem, dir, shown string) error {
	seen := map[string]bool{}
	var walk func(dir, shown string) error
	walk = func(dir, shown string) error {
		if seen[dir] {
			return nil
		}
		seen[dir] = true
		kfile := kustomizationFile(fsys, dir)
		if kfile == "" {
			return nil // kustomize reports it, or it is a plain directory
		}
		data, err := fsys.ReadFile(kfile)
		if err != nil {
			return err
		}
		var doc yaml.Node
		if err := yaml.Unmarshal(data, &doc); err != nil || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
			return nil // kustomize reports the syntax error
		}
		kshown := filepath.Join(shown, filepath.Base(kfile))
		refuse := func(n *yaml.Node, what, ref string) error {
			return fmt.Errorf("%s:%d:%d: %s %q is not a local path: emmdev lint -k renders offline and never fetches (vendor it into the repository, or lint the rendered output with: kustomize build | emmdev lint -)",
				kshown, n.Line, n.Column, what, ref)
		}
		m := doc.Content[0]
		for i := 0; i+1 < len(m.Content); i += 2 {
			key, val := m.Content[i].Value, m.Content[i+1]
			switch key {
			case "resources", "bases", "components":
				for _, it := range val.Content {
					ref := it.Value
					if isRemote(ref) {
						return refuse(it, key+" entry", ref)
					}
					p := filepath.Join(dir, ref)
					if !fsys.Exists(p) {
						return refuse(it, key+" entry", ref)
					}
					if fsys.IsDir(p) {
						if err := walk(p, filepath.Join(shown, ref)); err != nil {
							return err
						}
					}
				}
			case "helmCharts", "helmChartInflationGenerator", "helmGlobals":
				return fmt.Errorf("%s:%d:%d: %s: emmdev lint -k does not run helm; render the chart with helm template and pipe it to emmdev lint -", kshown, m.Content[i].Line, m.Content[i].Column, key)
			default:
				if err := refuseURLs(val, func(n *yaml.Node) error { return refuse(n, key+" reference", n.Value) }); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return walk(dir, shown)
}

// refuseURLs finds URLs among the path-like values (no newline: inline
// patches are content, not references) of a kustomization field.
func refuseURLs(n *yaml.Node, refuse func(*yaml.Node) error) error {
	switch n.Kind {
	case yaml.ScalarNode:
		if strings.Contains(n.Value, "\n") {
			return nil
		}
		v := n.Value
		if _, after, ok := strings.Cut(v, "="); ok {
			v = after // generator sources: key=path
		}
		if isRemote(v) || isRemote(n.Value) {
			return refuse(n)
		}
	case yaml.SequenceNode:
		for _, c := range n.Content {
			if err := refuseURLs(c, refuse); err != nil {
				return err
			}
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			// Only file references: patch bodies and literals may hold URLs.
			switch n.Content[i].Value {
			case "path", "files", "envs", "env", "paths":
				if err := refuseURLs(n.Content[i+1], refuse); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// isRemote matches what kustomize would fetch: URLs, scp-style git
// addresses and host/org/repo references.
func isRemote(ref string) bool {
	ref = strings.TrimSpace(ref)
	switch {
	case strings.Contains(ref, "://"), strings.HasPrefix(ref, "git@"), strings.HasPrefix(ref, "git::"),
		strings.Contains(ref, "?ref="), strings.Contains(ref, "?version="):
		return true
	}
	for _, host := range []string{"github.com/", "gitlab.com/", "bitbucket.org/"} {
		if strings.HasPrefix(ref, host) {
			return true
		}
	}
	return false
}
