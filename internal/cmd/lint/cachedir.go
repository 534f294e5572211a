package lint

import "path/filepath"

// cacheDir is emmdev's cache directory, as for the test control plane:
// ${EMMDEV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/emmdev}, read through the
// injected environment ("" when none is set: nothing is cached).
func cacheDir(o *Options) string {
	if dir := o.IO.Env("EMMDEV_CACHE"); dir != "" {
		return dir
	}
	if dir := o.IO.Env("XDG_CACHE_HOME"); filepath.IsAbs(dir) {
		return filepath.Join(dir, "emmdev")
	}
	if home := o.IO.Env("HOME"); filepath.IsAbs(home) {
		return filepath.Join(home, ".cache", "emmdev")
	}
	return ""
}
