package policyload

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"
)

// checkCache remembers policy files that passed every check, by content
// and emmdev build, so a run over unchanged policies skips the type and
// cost checks (a few hundred milliseconds for a dozen rules, paid on every
// pre-commit run otherwise). Only success is cached: a broken file is
// checked, and its errors reported, every time.
type checkCache struct {
	dir string
}

// buildIdentity names this emmdev build: another build may check
// differently.
var buildIdentity = sync.OnceValue(func() string {
	id := "unknown"
	if bi, ok := debug.ReadBuildInfo(); ok {
		id = bi.Main.Path + "@" + bi.Main.Version
	}
	if exe, err := os.Executable(); err == nil {
		if fi, err := os.Stat(exe); err == nil {
			id += fmt.Sprintf(" %s %d %d", exe, fi.Size(), fi.ModTime().UnixNano())
		}
	}
	return id
})

func (c checkCache) path(data []byte) string {
	h := sha256.New()
	fmt.Fprintf(h, "emmdev policy check v1\x00%s\x00", buildIdentity())
	h.Write(data)
	return filepath.Join(c.dir, hex.EncodeToString(h.Sum(nil)))
}

// passed reports whether data passed the checks before.
func (c checkCache) passed(data []byte) bool {
	if c.dir == "" {
		return false
	}
	_, err := os.Stat(c.path(data))
	return err == nil
}

// remember records that data passed; failing to write only costs time.
func (c checkCache) remember(data []byte) {
	if c.dir == "" {
		return
	}
	if err := os.MkdirAll(c.dir, 0o700); err != nil {
		return
	}
	_ = os.WriteFile(c.path(data), nil, 0o600)
}
