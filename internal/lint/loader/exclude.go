package loader

import (
	"fmt"
	"path"
	"path/filepath"
	"strings"
)

// Exclude is a compiled list of --exclude / policy `exclude:` patterns.
//
// A pattern without a slash matches any single path element, so `testdata`
// drops a directory wherever it is and `*.json` every JSON file. A pattern
// with a slash is matched against the whole path as it is shown in findings
// (relative to the working directory, or to the repository root in --staged
// mode); `**` stands for any number of directories. A pattern that matches a
// directory excludes everything below it. Segments use path.Match syntax.
type Exclude struct {
	pats []excludePattern
}

type excludePattern struct {
	raw  string
	segs []string // nil: match any single element against elem
	elem string
}

// CompileExclude checks and compiles patterns; a malformed one is an error
// naming it, never a pattern that silently matches nothing.
func CompileExclude(patterns []string) (*Exclude, error) {
	x := &Exclude{}
	for _, p := range patterns {
		ep, err := compilePattern(p)
		if err != nil {
			return nil, err
		}
		x.pats = append(x.pats, ep)
	}
	return x, nil
}

func compilePattern(raw string) (excludePattern, error) {
	p := strings.TrimSpace(filepath.ToSlash(raw))
	p = strings.TrimPrefix(p, "./")
	p = strings.TrimSuffix(p, "/")
	if p == "" || p == "." {
		return excludePattern{}, fmt.Errorf("exclude pattern %q matches nothing (empty)", raw)
	}
	if !strings.Contains(p, "/") {
		if _, err := path.Match(p, ""); err != nil {
			return excludePattern{}, fmt.Errorf("exclude pattern %q: %w", raw, err)
		}
		return excludePattern{raw: raw, elem: p}, nil
	}
	segs := strings.Split(p, "/")
	for _, s := range segs {
		if s == "**" {
			continue
		}
		if strings.Contains(s, "**") {
			return excludePattern{}, fmt.Errorf("exclude pattern %q: ** must be a whole path element", raw)
		}
		if _, err := path.Match(s, ""); err != nil {
			return excludePattern{}, fmt.Errorf("exclude pattern %q: %w", raw, err)
		}
	}
	return excludePattern{raw: raw, segs: segs}, nil
}

// Len is the number of patterns.
func (x *Exclude) Len() int {
	if x == nil {
		return 0
	}
	return len(x.pats)
}

// Match reports whether the file or directory at p (as shown to the user)
// is excluded, and by which pattern.
func (x *Exclude) Match(p string) (string, bool) {
	if x == nil || len(x.pats) == 0 {
		return "", false
	}
	clean := path.Clean(filepath.ToSlash(p))
	clean = strings.TrimPrefix(clean, "./")
	elems := strings.Split(strings.TrimPrefix(clean, "/"), "/")
	for _, ep := range x.pats {
		if ep.segs == nil {
			for _, e := range elems {
				if ok, _ := path.Match(ep.elem, e); ok {
					return ep.raw, true
				}
			}
			continue
		}
		// A directory match covers everything below it.
		for k := 1; k <= len(elems); k++ {
			if matchSegs(ep.segs, elems[:k]) {
				return ep.raw, true
			}
		}
	}
	return "", false
}

func matchSegs(pat, name []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			for i := 0; i <= len(name); i++ {
				if matchSegs(pat[1:], name[i:]) {
					return true
				}
			}
			return false
		}
		if len(name) == 0 {
			return false
		}
		if ok, _ := path.Match(pat[0], name[0]); !ok {
			return false
		}
		pat, name = pat[1:], name[1:]
	}
	return len(name) == 0
}
