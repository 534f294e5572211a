package lint

import (
	"os"
	"path/filepath"
	"runtime/debug"
)

// GCPercent is the garbage collector target lint runs with unless GOGC is
// set. Lint is a short batch over objects that stay alive until the end;
// the default (100) makes the collector re-mark them after every few
// megabytes of short-lived garbage (CEL evaluation allocates plenty). 300
// cuts the CPU the custom CEL rules cost on the 8,000-object corpus from
// +50% to +16% for about a fifth more peak memory; GOMEMLIMIT (default
// below) keeps large runs bounded.
const GCPercent = 300

// memoryLimit is the soft limit that makes the collector work harder
// before a run outgrows it, unless GOMEMLIMIT is set.
const memoryLimit = 2 << 30

func tuneGC(o *Options) {
	if o.IO.Env("GOGC") == "" {
		debug.SetGCPercent(GCPercent)
	}
	if o.IO.Env("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
}

// cacheDir is emmdev's cache: $EMMDEV_CACHE, else the user cache dir
// ("" when there is none: then nothing is cached).
func cacheDir(o *Options) string {
	if dir := o.IO.Env("EMMDEV_CACHE"); dir != "" {
		return dir
	}
	base, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(base, "emmdev")
}
