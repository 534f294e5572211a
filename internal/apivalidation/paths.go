package apivalidation

import "strconv"

// pathToken is one step of an API server field path: a field name, or the
// content of [...] (a list index or a map key).
type pathToken struct {
	s       string
	bracket bool
}

// tokenize splits spec.containers[0].ports[1].name and
// metadata.labels[app.kubernetes.io/name]. A bracket ends at the ] that is
// followed by ".", "[" or the end, so keys may contain brackets and dots.
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

// resolvePath maps an API server field path onto the JSON object it was
// computed from and returns the JSON path segments. Strict decoding joins
// map keys with "." (data.app.kubernetes.io/name), so at a mapping the
// longest run of dotted tokens that is an existing key wins. Past the
// deepest existing field the tokens are kept as they are: the finding is
// then placed at that deepest field, where the user would add the rest.
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
			key, j := t.s, i
			matched := false
			for k := i + 1; k < len(toks) && !toks[k].bracket && !t.bracket; k++ {
				key += "." + toks[k].s
				if v, ok := c[key]; ok {
					out, cur, j, matched = append(out, key), v, k, true
					break
				}
			}
			if !matched {
				out, cur = append(out, t.s), nil
			}
			i = j
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
