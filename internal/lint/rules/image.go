package rules

import (
	"strings"

	"github.com/emmdev/emmdev/internal/lint/loader"
)

// splitImage returns the repository (without registry port confusion), the
// tag ("" if none) and whether a digest pins the image.
func splitImage(image string) (repo, tag string, digest bool) {
	if i := strings.IndexByte(image, '@'); i >= 0 {
		image, digest = image[:i], true
	}
	last := strings.LastIndexByte(image, '/')
	if i := strings.LastIndexByte(image, ':'); i > last {
		return image[:i], image[i+1:], digest
	}
	return image, "", digest
}

func checkImageLatest(_ *Env, o *loader.Object, emit Emit) {
	ps, ok := podSpecOf(o)
	if !ok {
		return
	}
	for _, c := range ps.containers(true) {
		image, _ := c.spec["image"].(string)
		if image == "" {
			continue
		}
		_, tag, digest := splitImage(image)
		switch {
		case digest:
		case tag == "":
			emit(c.at("image"), c.label()+" image "+quote(image)+" has no tag, so it means :latest")
		case tag == "latest":
			emit(c.at("image"), c.label()+" image "+quote(image)+" uses the mutable :latest tag")
		}
	}
}

func quote(s string) string { return `"` + s + `"` }
