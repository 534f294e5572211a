// Package atomicfile writes files the way every emmdev command must: to a
// temporary file next to the target, with its final permissions from the
// start, synced, then renamed into place and the folder synced. Readers never
// see a half-written file, a failure (full disk, a crash, a kill) leaves the
// old content intact, and a private key is never briefly world-readable.
package atomicfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Write atomically replaces path with data, mode perm.
func Write(path string, data []byte, perm os.FileMode) error {
	return write(osFS{}, path, data, perm)
}

// Update is Write for a file the user named as a target (seal -w,
// --merge-into): when path is a symlink, the file it points to is replaced
// and the link kept; an existing file keeps its permission bits (perm is for
// a new file only).
func Update(path string, data []byte, perm os.FileMode) error {
	target, err := resolveLinks(path)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if fi, err := os.Stat(target); err == nil {
		if !fi.Mode().IsRegular() {
			return fmt.Errorf("write %s: %s is not a regular file", path, target)
		}
		perm = fi.Mode().Perm()
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return write(osFS{}, target, data, perm)
}

// resolveLinks follows symlinks to the file they name, which need not exist
// yet (a dangling link is a place to write to, as shells treat `> link`).
func resolveLinks(path string) (string, error) {
	for range 40 { // the kernel's own limit on link chains
		fi, err := os.Lstat(path)
		if errors.Is(err, fs.ErrNotExist) {
			return path, nil
		}
		if err != nil {
			return "", err
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			return path, nil
		}
		dest, err := os.Readlink(path)
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(dest) {
			dest = filepath.Join(filepath.Dir(path), dest)
		}
		path = dest
	}
	return "", errors.New("too many levels of symbolic links")
}

// fsys is what write needs from the file system; the tests replace it to
// kill the writer or fill the disk at every step.
type fsys interface {
	CreateTemp(dir, pattern string) (file, error)
	Rename(oldpath, newpath string) error
	Remove(name string) error
	SyncDir(dir string) error
}

type file interface {
	io.Writer
	Name() string
	Chmod(os.FileMode) error
	Sync() error
	Close() error
}

func write(fsys fsys, path string, data []byte, perm os.FileMode) error {
	dir := filepath.Dir(path)
	tmp, err := fsys.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	name := tmp.Name()
	ok := false
	defer func() {
		if !ok {
			_ = tmp.Close()
			_ = fsys.Remove(name)
		}
	}()
	// The mode is set before any byte is written, so a private key is
	// never readable by others, not even while it is being written.
	if err := tmp.Chmod(perm); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := tmp.Write(data); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := fsys.Rename(name, path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	ok = true
	// Without syncing the folder a power cut can undo the rename; the data
	// is in place either way, so a failure here is not reported.
	_ = fsys.SyncDir(dir)
	return nil
}

type osFS struct{}

func (osFS) CreateTemp(dir, pattern string) (file, error) { return os.CreateTemp(dir, pattern) }
func (osFS) Rename(oldpath, newpath string) error         { return os.Rename(oldpath, newpath) }
func (osFS) Remove(name string) error                     { return os.Remove(name) }

func (osFS) SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
