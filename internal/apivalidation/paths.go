package apivalidation

import (
	"strconv"

	"github.com/emmdev/emmdev/internal/fieldpath"
)

// resolvePath maps an API server field path onto the JSON object it was
// computed from and returns the JSON path segments. Strict decoding joins
// map keys with "." (data.app.kubernetes.io/name), so at a mapping the
// longest run of dotted tokens that is an existing key wins. Past the
// deepest existing field the tokens are kept as they are: the finding is
// then placed at that deepest field, where the user would add the rest.
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
			key, j := t.S, i
			matched := false
			for k := i + 1; k < len(toks) && !toks[k].Bracket && !t.Bracket; k++ {
				key += "." + toks[k].S
				if v, ok := c[key]; ok {
					out, cur, j, matched = append(out, key), v, k, true
					break
				}
			}
			if !matched {
				out, cur = append(out, t.S), nil
			}
			i = j
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
