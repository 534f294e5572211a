package celpolicy

import (
	"strconv"
	"strings"
)

// FindingPath picks where a failed rule's finding goes on obj: of the
// fields the rule reads, the one that reaches deepest into the object. A
// list item ("*") becomes the list's only item, or the item whose name the
// message quotes (`container "api" has no ...`), or else the list itself.
// The path may end below what exists: the caller places the finding at the
// deepest part that does, which is where the missing field would go.
func FindingPath(obj map[string]any, candidates [][]string, message string) []string {
	var best []string
	bestNamed, bestDepth := -1, -1
	for _, c := range candidates {
		path, named, depth := resolve(obj, c, message)
		if named > bestNamed || (named == bestNamed && depth > bestDepth) {
			best, bestNamed, bestDepth = path, named, depth
		}
	}
	return best
}

// resolve follows a candidate into obj; named counts the list items the
// message names, depth the segments found. An item the message names is
// better evidence than depth.
func resolve(obj map[string]any, candidate []string, message string) (path []string, named, depth int) {
	var cur any = obj
	path = make([]string, 0, len(candidate))
	for i, seg := range candidate {
		switch v := cur.(type) {
		case map[string]any:
			next, ok := v[seg]
			if !ok {
				return append(path, candidate[i:]...), named, depth
			}
			path, cur = append(path, seg), next
		case []any:
			idx := -1
			if seg == "*" {
				var byName bool
				if idx, byName = itemFor(v, message); byName {
					named++
				}
			} else if n, err := strconv.Atoi(seg); err == nil && n >= 0 && n < len(v) {
				idx = n
			}
			if idx < 0 {
				return path, named, depth
			}
			path, cur = append(path, strconv.Itoa(idx)), v[idx]
		default:
			return path, named, depth
		}
		depth++
	}
	return path, named, depth
}

// itemFor is the index of the item message names (its quoted name, else
// the one item one of whose values the message quotes, like an image), or
// of the only item.
func itemFor(items []any, message string) (idx int, byName bool) {
	for i, it := range items {
		m, _ := it.(map[string]any)
		if name, _ := m["name"].(string); name != "" && strings.Contains(message, `"`+name+`"`) {
			return i, true
		}
	}
	matches, found := 0, -1
	for i, it := range items {
		if mentions(it, message) {
			matches, found = matches+1, i
		}
	}
	if matches == 1 {
		return found, true
	}
	if len(items) == 1 {
		return 0, false
	}
	return -1, false
}

// mentions reports whether message contains one of item's string values.
func mentions(item any, message string) bool {
	m, _ := item.(map[string]any)
	for _, v := range m {
		if s, ok := v.(string); ok && len(s) >= 3 && strings.Contains(message, s) {
			return true
		}
	}
	return false
}
