package cluster

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
)

// Claim is one PersistentVolumeClaim's folder under the volumes folder: the
// platform's StorageClass puts each claim at <namespace>/<claim name>, so
// the same claim finds its data again after the cluster is recreated.
type Claim struct {
	Namespace, Name string
	Path            string
	Size            Size
}

// Size is the bytes of the files below a folder; Err says why some could
// not be counted (the folder is then at least Bytes big).
type Size struct {
	Bytes int64
	Err   error
}

func (s Size) String() string {
	if s.Err != nil {
		return fmt.Sprintf("at least %s (%v)", HumanBytes(s.Bytes), s.Err)
	}
	return HumanBytes(s.Bytes)
}

// DiskUsage adds up the sizes of the regular files below dir, without
// following symlinks. A folder that does not exist is 0 B.
func DiskUsage(dir string) Size {
	var s Size
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			if s.Err == nil && !os.IsNotExist(err) {
				s.Err = err
			}
			return nil // count what can be read
		}
		if d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				s.Bytes += fi.Size()
			}
		}
		return nil
	})
	if err != nil && s.Err == nil {
		s.Err = err
	}
	return s
}

// Claims lists the claim folders under the volumes folder, sorted.
func Claims(volumesDir string) ([]Claim, error) {
	namespaces, err := os.ReadDir(volumesDir)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []Claim
	for _, ns := range namespaces {
		if !ns.IsDir() {
			continue
		}
		claims, err := os.ReadDir(filepath.Join(volumesDir, ns.Name()))
		if err != nil {
			return out, err
		}
		for _, c := range claims {
			if !c.IsDir() {
				continue
			}
			p := filepath.Join(volumesDir, ns.Name(), c.Name())
			out = append(out, Claim{Namespace: ns.Name(), Name: c.Name(), Path: p, Size: DiskUsage(p)})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// HumanBytes prints a size the way du -h would, in binary units.
func HumanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
