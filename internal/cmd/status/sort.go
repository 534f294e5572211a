package status

import (
	"cmp"
	"math"
	"slices"
	"sort"
)

// sortKeys are the --sort orders of --once, the same as the live screen's
// sort keys. Usage sorts put the biggest first and pods without a reading
// last; everything else is stable on namespace/name.
var sortKeys = map[string]func(a, b *row) int{
	"app":  func(a, b *row) int { return cmp.Compare(a.App, b.App) },
	"name": func(a, b *row) int { return cmp.Compare(a.Name, b.Name) },
	"status": func(a, b *row) int {
		return cmp.Or(-cmpBool(a.NotReady(), b.NotReady()), cmp.Compare(a.Status, b.Status))
	},
	"restarts": func(a, b *row) int { return cmp.Compare(b.Restarts, a.Restarts) },
	"age":      func(a, b *row) int { return a.Created.Compare(b.Created) },
	"node":     func(a, b *row) int { return cmp.Compare(a.Node, b.Node) },
	"cpu": func(a, b *row) int {
		return usageCompare(a, b, func(r *row) float64 { return float64(r.usage.CPUMilli) })
	},
	"memory": func(a, b *row) int {
		return usageCompare(a, b, func(r *row) float64 { return float64(r.usage.MemBytes) })
	},
	"memory-limit": func(a, b *row) int {
		return usageCompare(a, b, func(r *row) float64 { return r.usage.MemLimitPct })
	},
}

func sortNames() []string {
	names := make([]string, 0, len(sortKeys))
	for k := range sortKeys {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// sortRows orders rows by key; "" keeps the API's namespace/name order.
func sortRows(rows []row, key string) {
	f := sortKeys[key]
	if f == nil {
		return
	}
	slices.SortStableFunc(rows, func(a, b row) int { return f(&a, &b) })
}

func usageCompare(a, b *row, val func(*row) float64) int {
	get := func(r *row) float64 {
		if r.usage == nil {
			return math.Inf(-1)
		}
		return val(r)
	}
	return cmp.Compare(get(b), get(a))
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}
