package policyload

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"time"

	"github.com/emmdev/emmdev/internal/atomicfile"
)

// checkCache remembers policy files that passed every check, by content
// and emmdev build, so a run over unchanged policies skips the API
// server's validation and the type and cost checks (about 0.1 s for ten
// rules, paid on every pre-commit run otherwise). Only success is cached:
// a broken file is checked, and its errors reported, every time. The
// checks depend on nothing else: the schemas and kinds they type against
// are embedded in the build.
//
// An entry is a file named by the key whose content is a record of that
// key; anything else there (a torn or foreign file) is a miss, and the
// entry is written again, atomically, once the file checks out.
type checkCache struct {
	dir string // "" = no cache
	// build names this emmdev build ("" = unknown: no cache, since
	// another build may check differently).
	build string
}

// cacheFormat changes when what an entry means changes.
const cacheFormat = "emmdev policy check v1"

// cacheMaxAge is how long an entry is kept: a passed check costs a tenth
// of a second to redo, so old entries of edited files and earlier builds
// are pruned rather than kept forever.
const cacheMaxAge = 30 * 24 * time.Hour

func newCheckCache(dir string) checkCache {
	if dir == "" {
		return checkCache{}
	}
	return checkCache{dir: dir, build: buildIdentity()}
}

// buildIdentity names the running executable: its path, size and
// modification time (a rebuilt or replaced binary differs in them) and the
// build information Go records.
func buildIdentity() string {
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	fi, err := os.Stat(exe)
	if err != nil {
		return ""
	}
	id := fmt.Sprintf("%s\x00%d\x00%d\x00%s", exe, fi.Size(), fi.ModTime().UnixNano(), runtime.Version())
	if bi, ok := debug.ReadBuildInfo(); ok {
		id += "\x00" + bi.Main.Path + "@" + bi.Main.Version
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" || s.Key == "vcs.modified" {
				id += "\x00" + s.Key + "=" + s.Value
			}
		}
	}
	return id
}

func (c checkCache) enabled() bool { return c.dir != "" && c.build != "" }

func (c checkCache) key(data []byte) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00", cacheFormat, c.build)
	h.Write(data)
	return hex.EncodeToString(h.Sum(nil))
}

func record(key string) []byte { return []byte(cacheFormat + " passed " + key + "\n") }

// passed reports whether data passed the checks before, under this build.
func (c checkCache) passed(data []byte) bool {
	if !c.enabled() {
		return false
	}
	key := c.key(data)
	f, err := os.Open(filepath.Join(c.dir, key))
	if err != nil {
		return false
	}
	defer f.Close()
	want := record(key)
	got, err := io.ReadAll(io.LimitReader(f, int64(len(want))+1))
	return err == nil && bytes.Equal(got, want)
}

// remember records that data passed. Failing to write costs only time,
// so it is not an error.
func (c checkCache) remember(data []byte) {
	if !c.enabled() {
		return
	}
	if err := os.MkdirAll(c.dir, 0o700); err != nil {
		return
	}
	key := c.key(data)
	_ = atomicfile.Write(filepath.Join(c.dir, key), record(key), 0o600)
	c.prune(time.Now().Add(-cacheMaxAge))
}

// prune removes entries last written before cutoff (only files named like
// an entry: the directory may be shared).
func (c checkCache) prune(cutoff time.Time) {
	entries, err := os.ReadDir(c.dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !isKey(e.Name()) || !e.Type().IsRegular() {
			continue
		}
		if fi, err := e.Info(); err == nil && fi.ModTime().Before(cutoff) {
			_ = os.Remove(filepath.Join(c.dir, e.Name()))
		}
	}
}

func isKey(name string) bool {
	if len(name) != 2*sha256.Size {
		return false
	}
	_, err := hex.DecodeString(name)
	return err == nil
}
