// Package gctune sets the Go garbage collector for emmdev's short batch
// commands (lint). Such a run builds objects that stay alive until it ends
// (the parsed files) and makes plenty of short-lived garbage checking them
// (CEL evaluation above all). With the default GOGC of 100 the collector
// re-marks the live objects every time the heap doubles; a higher target
// trades memory for fewer collections, and a soft memory limit stops large
// runs from growing without bound.
package gctune

import "runtime/debug"

const (
	// Percent is the GOGC a batch run uses unless GOGC is set.
	Percent = 300
	// MemoryLimit is the soft limit a batch run uses unless GOMEMLIMIT is
	// set. Up to half of it of live heap, the collector works no harder
	// than with the default GOGC (the heap may grow to twice the live
	// objects either way); below a quarter, Percent applies in full.
	MemoryLimit = 4 << 30
)

// ForBatch applies Percent and MemoryLimit, each unless the user set the
// environment variable the Go runtime reads for it (GOGC, GOMEMLIMIT;
// getenv reads the environment). restore puts back the settings found.
func ForBatch(getenv func(string) string) (restore func()) {
	oldPercent, oldLimit := -2, int64(-1)
	if getenv("GOGC") == "" {
		oldPercent = debug.SetGCPercent(Percent)
	}
	if getenv("GOMEMLIMIT") == "" {
		oldLimit = debug.SetMemoryLimit(MemoryLimit)
	}
	return func() {
		if oldPercent != -2 {
			debug.SetGCPercent(oldPercent)
		}
		if oldLimit >= 0 {
			debug.SetMemoryLimit(oldLimit)
		}
	}
}
