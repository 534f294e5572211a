package loader

import (
	"os"
	"path/filepath"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// patchReason is shown for a file a kustomization uses as a patch: alone it
// is a fragment (no selector, no template), not an object to lint.
const patchReason = "kustomize patch (lint the overlay with -k DIR, which locates findings in this file)"

// KustomizePatches finds files that kustomizations use as patches, so a
// directory walk does not lint a fragment as if it were a whole object. It
// caches one kustomization per directory.
type KustomizePatches struct {
	stop  string // do not look above this directory ("" = no limit)
	cache map[string]map[string]bool
}

// NewKustomizePatches looks for kustomizations up to stop.
func NewKustomizePatches(stop string) *KustomizePatches {
	if abs, err := filepath.Abs(stop); err == nil && stop != "" {
		stop = abs
	}
	return &KustomizePatches{stop: stop, cache: map[string]map[string]bool{}}
}

// IsPatch reports whether a kustomization in file's directory or one of
// the two above it lists file as a patch.
func (k *KustomizePatches) IsPatch(file string) bool {
	abs, err := filepath.Abs(file)
	if err != nil {
		return false
	}
	dir := filepath.Dir(abs)
	for range 3 {
		if k.patchesIn(dir)[abs] {
			return true
		}
		if dir == k.stop || filepath.Dir(dir) == dir {
			break
		}
		dir = filepath.Dir(dir)
	}
	return false
}

func (k *KustomizePatches) patchesIn(dir string) map[string]bool {
	if m, ok := k.cache[dir]; ok {
		return m
	}
	m := map[string]bool{}
	k.cache[dir] = m
	var data []byte
	for _, n := range []string{"kustomization.yaml", "kustomization.yml", "Kustomization"} {
		if b, err := os.ReadFile(filepath.Join(dir, n)); err == nil {
			data = b
			break
		}
	}
	if data == nil {
		return m
	}
	var kz struct {
		Patches []struct {
			Path string `yaml:"path"`
		} `yaml:"patches"`
		PatchesStrategicMerge []string `yaml:"patchesStrategicMerge"`
		PatchesJSON6902       []struct {
			Path string `yaml:"path"`
		} `yaml:"patchesJson6902"`
	}
	if yaml.Unmarshal(data, &kz) != nil {
		return m
	}
	add := func(p string) {
		if p != "" && !strings.Contains(p, "\n") {
			m[filepath.Join(dir, p)] = true
		}
	}
	for _, p := range kz.Patches {
		add(p.Path)
	}
	for _, p := range kz.PatchesStrategicMerge {
		add(p)
	}
	for _, p := range kz.PatchesJSON6902 {
		add(p.Path)
	}
	return m
}
