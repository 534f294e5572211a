package lint

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// maxIndexBlob bounds what is loaded from the index for rendering: larger
// blobs are not kustomize inputs anyone writes by hand.
const maxIndexBlob = 8 << 20

// newIndexFS builds an in-memory file system holding the git index (what
// the commit will record) at the repository's real path, so --staged -k
// renders the staged kustomization, not the work tree.
func newIndexFS(o *Options, root string) (filesys.FileSystem, error) {
	out, err := o.Git.Output(o.Ctx, root, "ls-files", "--stage", "-z")
	if err != nil {
		return nil, err
	}
	type entry struct{ sha, path string }
	var entries []entry
	for _, rec := range splitZ(out) {
		meta, p, ok := strings.Cut(rec, "\t")
		f := strings.Fields(meta)
		if !ok || len(f) < 3 || f[0] != "100644" && f[0] != "100755" {
			continue // symlinks and submodules are not kustomize inputs
		}
		entries = append(entries, entry{f[1], p})
	}
	fsys := filesys.MakeFsInMemory()
	if err := fsys.MkdirAll(root); err != nil {
		return nil, err
	}
	var in bytes.Buffer
	for _, e := range entries {
		in.WriteString(e.sha + "\n")
	}
	blobs, err := catFileBatch(o.Ctx, root, &in)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		data, ok := blobs[e.sha]
		if !ok {
			continue
		}
		p := filepath.Join(root, filepath.FromSlash(e.path))
		if err := fsys.MkdirAll(filepath.Dir(p)); err != nil {
			return nil, err
		}
		if err := fsys.WriteFile(p, data); err != nil {
			return nil, err
		}
	}
	return fsys, nil
}

// catFileBatch reads blobs with one `git cat-file --batch`, skipping those
// over maxIndexBlob.
func catFileBatch(ctx context.Context, root string, shas io.Reader) (map[string][]byte, error) {
	cmd := exec.CommandContext(ctx, "git", "cat-file", "--batch")
	cmd.Dir = root
	cmd.Stdin = shas
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("git cat-file: %w", err)
	}
	blobs := map[string][]byte{}
	r := bufio.NewReader(stdout)
	var readErr error
	for {
		header, err := r.ReadString('\n')
		if err != nil {
			if !errors.Is(err, io.EOF) {
				readErr = err
			}
			break
		}
		f := strings.Fields(header)
		if len(f) != 3 {
			continue // "<sha> missing"
		}
		size, err := strconv.Atoi(f[2])
		if err != nil {
			readErr = fmt.Errorf("git cat-file: bad header %q", header)
			break
		}
		buf := make([]byte, size+1) // content and a newline
		if _, err := io.ReadFull(r, buf); err != nil {
			readErr = err
			break
		}
		if size <= maxIndexBlob {
			blobs[f[0]] = buf[:size]
		}
	}
	if err := cmd.Wait(); err != nil {
		return nil, fmt.Errorf("git cat-file: %w %s", err, strings.TrimSpace(stderr.String()))
	}
	return blobs, readErr
}
