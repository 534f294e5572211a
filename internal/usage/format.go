package usage

import (
	"strconv"
)

// CPU formats millicores as `kubectl top` does: "250m".
func CPU(milli int64) string { return strconv.FormatInt(milli, 10) + "m" }

// Memory formats bytes in whole Mi, as `kubectl top` does: "251Mi".
func Memory(bytes int64) string { return strconv.FormatInt(bytes/(1<<20), 10) + "Mi" }

// Pct formats a percentage of a limit ("97%"), "n/a" without a limit.
func Pct(p float64) string {
	if p < 0 {
		return "n/a"
	}
	return strconv.FormatInt(int64(p), 10) + "%"
}

// MemPct is Pct with the near-limit mark "!" appended, so the mark survives
// NO_COLOR and copy-paste.
func MemPct(u Usage) string {
	if u.NearMemLimit {
		return Pct(u.MemLimitPct) + "!"
	}
	return Pct(u.MemLimitPct)
}
