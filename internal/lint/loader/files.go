package loader

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// StdinName is how stdin appears in findings.
const StdinName = "<stdin>"

// IsManifestName reports whether a file found in a directory is linted.
func IsManifestName(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}

// IsHidden reports whether any element of a slash- or OS-separated relative
// path starts with a dot (.github/workflows/ci.yml, .golangci.yml): such
// files are tool configuration, skipped when expanding directories or the
// staged file list.
func IsHidden(rel string) bool {
	for _, part := range strings.Split(filepath.ToSlash(rel), "/") {
		if len(part) > 1 && part[0] == '.' && part != ".." {
			return true
		}
	}
	return false
}

// Files expands command-line paths into inputs: a file is taken whatever its
// extension (the user named it), a directory is walked recursively for
// .yaml/.yml/.json files (skipping hidden files and directories such as
// .git), and "-" reads stdin. Relative paths resolve against base ("" = the
// process working directory) but keep the spelling the user gave in
// findings. A path that does not exist is an error. Well-known files that
// are not manifests are left out; Expand says which.
func Files(base string, paths []string, stdin io.Reader) ([]Input, error) {
	inputs, _, err := Expand(base, paths, stdin, nil)
	return inputs, err
}

// Expand is Files with exclusions: it also returns the well-known
// non-manifest files (kustomization files, Helm charts, CI workflows, ...)
// it left out, one entry each, so the command can say so. Paths matching
// exclude are dropped silently: the user asked for that.
func Expand(base string, paths []string, stdin io.Reader, exclude *Exclude) ([]Input, []Skipped, error) {
	var inputs []Input
	var skipped []Skipped
	seenStdin := false
	for _, p := range paths {
		if p == "-" {
			if seenStdin {
				return nil, nil, fmt.Errorf("stdin (-) given more than once")
			}
			seenStdin = true
			inputs = append(inputs, Input{Name: StdinName, Read: func(limit int64) ([]byte, error) { return readLimited(stdin, limit) }})
			continue
		}
		real := p
		if base != "" && !filepath.IsAbs(p) {
			real = filepath.Join(base, p)
		}
		fi, err := os.Stat(real)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", p, unwrapPath(err))
		}
		if _, ex := exclude.Match(p); ex {
			continue
		}
		if !fi.IsDir() {
			if why := NotManifest(p); why != "" {
				skipped = append(skipped, Skipped{Path: p, Reason: why})
				continue
			}
			inputs = append(inputs, namedFileInput(p, real))
			continue
		}
		var found []string
		patches := NewKustomizePatches(real)
		err = filepath.WalkDir(real, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, err := filepath.Rel(real, path)
			if err != nil {
				return err
			}
			shown := filepath.Join(p, rel)
			if d.IsDir() {
				if path != real && strings.HasPrefix(d.Name(), ".") {
					return filepath.SkipDir
				}
				if _, ex := exclude.Match(shown); ex && path != real {
					return filepath.SkipDir
				}
				if isHelmChart(path) {
					skipped = append(skipped, Skipped{Path: shown + string(filepath.Separator), Reason: helmChartReason})
					return filepath.SkipDir
				}
				return nil
			}
			// FIFOs, sockets and devices are never manifests: reading a FIFO
			// found by a walk would block forever.
			if !d.Type().IsRegular() {
				if d.Type()&fs.ModeSymlink == 0 {
					return nil
				}
				if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() && !fi.IsDir() {
					return nil
				}
			}
			if !IsManifestName(d.Name()) {
				return nil
			}
			if _, ex := exclude.Match(shown); ex {
				return nil
			}
			if why := NotManifest(shown); why != "" {
				skipped = append(skipped, Skipped{Path: shown, Reason: why})
				return nil
			}
			if patches.IsPatch(path) {
				skipped = append(skipped, Skipped{Path: shown, Reason: patchReason})
				return nil
			}
			// Other dotfiles (.golangci.yml, ...) are tool configuration,
			// not manifests; name one explicitly to lint it.
			if !strings.HasPrefix(d.Name(), ".") {
				found = append(found, path)
			}
			return nil
		})
		if err != nil {
			return nil, nil, fmt.Errorf("walking %s: %w", p, err)
		}
		sort.Strings(found)
		for _, f := range found {
			rel, err := filepath.Rel(real, f)
			if err != nil {
				return nil, nil, err
			}
			inputs = append(inputs, namedFileInput(filepath.Join(p, rel), f))
		}
	}
	return inputs, skipped, nil
}

// isHelmChart reports whether dir is a Helm chart (holds a Chart.yaml).
func isHelmChart(dir string) bool {
	for _, n := range []string{"Chart.yaml", "Chart.yml"} {
		if fi, err := os.Stat(filepath.Join(dir, n)); err == nil && fi.Mode().IsRegular() {
			return true
		}
	}
	return false
}

// FileInput reads a file from disk, named by its path.
func FileInput(path string) Input { return namedFileInput(path, path) }

func namedFileInput(name, path string) Input {
	return Input{Name: name, Read: func(limit int64) ([]byte, error) {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		return readLimited(f, limit)
	}}
}

// readLimited reads at most limit+1 bytes: enough for the caller to tell
// that the input is over the limit without buffering all of it.
func readLimited(r io.Reader, limit int64) ([]byte, error) {
	if limit <= 0 {
		return io.ReadAll(r)
	}
	return io.ReadAll(io.LimitReader(r, limit+1))
}
