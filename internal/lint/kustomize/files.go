package kustomize

import (
	"path/filepath"
	"sync"

	yaml "go.yaml.in/yaml/v3"
	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/emmdev/emmdev/internal/lint/loader"
)

// fileCache reads the source files findings point into, once each, from
// the same file system kustomize rendered from (the work tree, or the git
// index for --staged), so the lines match what was rendered.
type fileCache struct {
	fsys  filesys.FileSystem
	root  string // absolute kustomization directory
	shown string // the same as the user spelled it
	mu    sync.Mutex
	docs  map[string]*sourceFile
}

type sourceFile struct {
	shown string
	data  []byte
	objs  []*loader.Object
	node  *yaml.Node // first document, for kustomization files
}

func newFileCache(fsys filesys.FileSystem, root, shown string) *fileCache {
	return &fileCache{fsys: fsys, root: root, shown: shown, docs: map[string]*sourceFile{}}
}

// get returns the file at rel (relative to the kustomization root, as in
// kustomize's annotations), or nil when it cannot be read.
func (c *fileCache) get(rel string) *sourceFile {
	c.mu.Lock()
	defer c.mu.Unlock()
	if sf, ok := c.docs[rel]; ok {
		return sf
	}
	var sf *sourceFile
	if data, err := c.fsys.ReadFile(filepath.Join(c.root, rel)); err == nil {
		sf = &sourceFile{shown: c.display(rel), data: data}
		sf.objs, _ = loader.ParseAll(sf.shown, data, loader.Options{})
		var doc yaml.Node
		if yaml.Unmarshal(data, &doc) == nil && len(doc.Content) > 0 {
			sf.node = doc.Content[0]
		}
	}
	c.docs[rel] = sf
	return sf
}

// display joins rel to the directory as the user spelled it.
func (c *fileCache) display(rel string) string {
	if filepath.IsAbs(rel) {
		return rel
	}
	return filepath.Clean(filepath.Join(c.shown, rel))
}
