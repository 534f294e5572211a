// Package fieldpath reads the field paths Kubernetes' validation reports
// (spec.containers[0].ports[1].name, metadata.labels[app.kubernetes.io/name])
// so internal/apivalidation and internal/crdvalidation can place a finding
// at the field in the file.
package fieldpath

// Token is one step of a field path: a field name, or the content of [...]
// (a list index or a map key).
type Token struct {
	S       string
	Bracket bool
}

// Tokenize splits a field path. A bracket ends at the "]" that is followed
// by ".", "[" or the end, so keys may contain brackets and dots.
func Tokenize(p string) []Token {
	if p == "" || p == "<nil>" {
		return nil
	}
	var out []Token
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
			out = append(out, Token{S: p[i+1 : min(j, len(p))], Bracket: true})
			i = j + 1
		default:
			j := i
			for j < len(p) && p[j] != '.' && p[j] != '[' {
				j++
			}
			out = append(out, Token{S: p[i:j]})
			i = j
		}
	}
	return out
}
