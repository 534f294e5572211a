package finding

import (
	"strconv"
	"strings"
)

// FieldPath writes JSON path segments the way the API server names a
// field: spec.template.spec.containers[0].ports[1].name, and
// metadata.labels[app.kubernetes.io/name] for a key that is not a plain
// word (a path has no types, so a map key that looks like a word, such as
// labels.app, is written like a field).
func FieldPath(path []string) string {
	var b strings.Builder
	for i, s := range path {
		if _, err := strconv.Atoi(s); err == nil || !isWord(s) {
			b.WriteString("[" + s + "]")
			continue
		}
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(s)
	}
	return b.String()
}

func isWord(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		word := r == '_' || r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
		if !word {
			return false
		}
	}
	return true
}
