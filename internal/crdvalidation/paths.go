package crdvalidation

import "strconv"

// pathToken is one step of an API server field path: a field name, or the
// content of [...] (a list index or a map key).
type pathToken struct {
	s       string
	bracket bool
}

// tokenize splits "spec.versions[0].schema" and
// "properties[spec].properties[app.kubernetes.io/name]". A bracket ends at
// the "]" followed by ".", "[" or the end, so keys may hold brackets and dots.
func tokenize(p string) []pathToken {
	if p == "" || p == "<nil>" {
		return nil
	}
	var out []pathToken
	for i := 0; i < len(p); {
		switch p[i] {
		case '.':
			i++
		case '[':
			j := i + 1
			for ; j < len(p); j++ {
				if p[j] == ']' && (j+1 == len(p) || p[j+1] == '.' || p[j+1] == '[') {
					break
				}
			}
			out = append(out, pathToken{s: p[i+1 : min(j, len(p))], bracket: true})
			i = j + 1
		default:
			j := i
			for j < len(p) && p[j] != '.' && p[j] != '[' {
				j++
			}
			out = append(out, pathToken{s: p[i:j]})
			i = j
		}
	}
	return out
}

// resolvePath maps an API server field path onto the object it was computed
// from and returns JSON path segments. The schema validator and pruning
// join keys with "." (spec.selector.app.kubernetes.io/name), so at a mapping
// the shortest run of dotted tokens that is an existing key wins, the
// single token first. Past the deepest existing field the remaining tokens
// are kept as they are: the finding is then placed at that field, which is
// where the user would add what is missing.
func resolvePath(obj any, field string) []string {
	toks := tokenize(field)
	out := make([]string, 0, len(toks))
	cur := obj
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch c := cur.(type) {
		case map[string]any:
			if v, ok := c[t.s]; ok {
				out, cur = append(out, t.s), v
				continue
			}
			matched := false
			if !t.bracket {
				key := t.s
				for k := i + 1; k < len(toks) && !toks[k].bracket; k++ {
					key += "." + toks[k].s
					if v, ok := c[key]; ok {
						out, cur, i, matched = append(out, key), v, k, true
						break
					}
				}
			}
			if !matched {
				out, cur = append(out, t.s), nil
			}
		case []any:
			n, err := strconv.Atoi(t.s)
			if err == nil && n >= 0 && n < len(c) {
				out, cur = append(out, t.s), c[n]
				continue
			}
			out, cur = append(out, t.s), nil
		default:
			out, cur = append(out, t.s), nil
		}
	}
	return out
}
