package crdvalidation

import (
	"strconv"

	"github.com/emmdev/emmdev/internal/fieldpath"
)

// resolvePath maps an API server field path onto the object it was computed
// from and returns JSON path segments. The schema validator and pruning
// join keys with "." (spec.selector.app.kubernetes.io/name), so at a mapping
// the shortest run of dotted tokens that is an existing key wins, the
// single token first. Past the deepest existing field the remaining tokens
// are kept as they are: the finding is then placed at that field, which is
// where the user would add what is missing.
func resolvePath(obj any, field string) []string {
	toks := fieldpath.Tokenize(field)
	out := make([]string, 0, len(toks))
	cur := obj
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch c := cur.(type) {
		case map[string]any:
			if v, ok := c[t.S]; ok {
				out, cur = append(out, t.S), v
				continue
			}
			matched := false
			if !t.Bracket {
				key := t.S
				for k := i + 1; k < len(toks) && !toks[k].Bracket; k++ {
					key += "." + toks[k].S
					if v, ok := c[key]; ok {
						out, cur, i, matched = append(out, key), v, k, true
						break
					}
				}
			}
			if !matched {
				out, cur = append(out, t.S), nil
			}
		case []any:
			n, err := strconv.Atoi(t.S)
			if err == nil && n >= 0 && n < len(c) {
				out, cur = append(out, t.S), c[n]
				continue
			}
			out, cur = append(out, t.S), nil
		default:
			out, cur = append(out, t.S), nil
		}
	}
	return out
}
