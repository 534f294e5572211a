// Package policies embeds the default emmdev lint policy and the shipped
// custom-rule policies so the binary works with no file on disk and no
// network.
package policies

import (
	"embed"
	"io/fs"
	"path"
)

//go:embed default.yaml
var defaultPolicy []byte

//go:embed *.yaml
var files embed.FS

// DefaultName is how the embedded policy is named in error messages.
const DefaultName = "policies/default.yaml (embedded)"

// Default returns a copy of the embedded default policy.
func Default() []byte { return append([]byte(nil), defaultPolicy...) }

// File is one embedded policy file.
type File struct {
	// Base is the file name ("emm.yaml"): a file of that name in a
	// repository's policies/ directory replaces the embedded one.
	Base string
	Data []byte
}

// Embedded returns every embedded policies/*.yaml file except the default
// lint policy: the shipped custom-rule policies, in name order.
func Embedded() []File {
	entries, _ := fs.ReadDir(files, ".")
	var out []File
	for _, e := range entries {
		if e.Name() == "default.yaml" || path.Ext(e.Name()) != ".yaml" {
			continue
		}
		data, err := fs.ReadFile(files, e.Name())
		if err != nil {
			continue
		}
		out = append(out, File{Base: e.Name(), Data: data})
	}
	return out
}

// EmbeddedName is how an embedded file is named in error messages.
func EmbeddedName(base string) string { return "policies/" + base + " (embedded)" }
