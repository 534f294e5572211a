package cluster

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"sigs.k8s.io/kind/pkg/apis/config/v1alpha4"
)

// FolderEnv lets ensureFolder own what it creates when run under sudo.
type FolderEnv struct {
	Getenv  func(string) string
	Geteuid func() int
	Chown   func(path string, uid, gid int) error
}

// EnsureFolder creates dir (mode 0755) and any missing parents, hands every
// directory it created to the invoking user when running as root under sudo
// (hostPath folders created root-owned is kubernetes #30378's trap), and
// checks that dir is a writable directory. With create false it only checks
// and reports whether the folder would be created.
func EnsureFolder(dir string, create bool, env FolderEnv) (created bool, err error) {
	fi, err := os.Stat(dir)
	switch {
	case err == nil && !fi.IsDir():
		return false, fmt.Errorf("%s exists and is not a directory", dir)
	case err == nil:
		return false, checkWritable(dir)
	case !errors.Is(err, os.ErrNotExist):
		return false, fmt.Errorf("data folder: %w", err)
	case !create:
		return true, nil
	}
	// Record which ancestors are missing before MkdirAll creates them.
	var missing []string
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(d); err == nil || filepath.Dir(d) == d {
			break
		}
		missing = append(missing, d)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return false, fmt.Errorf("creating data folder: %w", err)
	}
	if uid, gid, ok := sudoOwner(env); ok {
		for _, d := range missing {
			if err := env.Chown(d, uid, gid); err != nil {
				return true, fmt.Errorf("giving %s to the sudo user: %w", d, err)
			}
		}
	}
	return true, checkWritable(dir)
}

// RefuseFolders names the data folders that must not be mounted into the
// cluster and handed to pods: the file-system root, the home folder, the
// repository itself (its .git and the dev files would be writable by every
// pod with the mount), and one folder given for two roles (vault and
// unsorted would see each other's files; a volume would land among them).
// Folders are compared after resolving symlinks.
func RefuseFolders(f Folders, repoRoot, home string) []Problem {
	var out []Problem
	seen := map[string]string{} // canonical path -> role
	for _, role := range f.List() {
		name, dir := role[0], role[1]
		item := "folder " + dir
		canon := canonical(dir)
		switch {
		case canon == canonical(string(filepath.Separator)):
			out = append(out, Problem{item, fmt.Errorf("%s folder %s is the file-system root: refusing to mount it into the cluster (%s)", name, dir, folderFlag(name))})
		case home != "" && canon == canonical(home):
			out = append(out, Problem{item, fmt.Errorf("%s folder %s is your home folder: refusing to mount it into the cluster (%s)", name, dir, folderFlag(name))})
		case repoRoot != "" && canon == canonical(repoRoot):
			out = append(out, Problem{item, fmt.Errorf("%s folder %s is the repository root: refusing to mount it into the cluster (%s)", name, dir, folderFlag(name))})
		case seen[canon] != "":
			out = append(out, Problem{item, fmt.Errorf("%s and %s are the same folder %s: give each its own (%s)", seen[canon], name, dir, folderFlag(name))})
		default:
			seen[canon] = name
		}
	}
	return out
}

// canonical resolves symlinks where the path exists, so a link to the home
// folder is recognised as the home folder.
func canonical(p string) string {
	if r, err := filepath.EvalSymlinks(p); err == nil {
		return r
	}
	return filepath.Clean(p)
}

func folderFlag(role string) string {
	return fmt.Sprintf("set --%s-dir or EMMDEV_%s_DIR, or the hostPath in %s", role, strings.ToUpper(role), ConfigFile)
}

func sudoOwner(env FolderEnv) (uid, gid int, ok bool) {
	if env.Getenv == nil || env.Geteuid == nil || env.Chown == nil || env.Geteuid() != 0 {
		return 0, 0, false
	}
	u, err1 := strconv.Atoi(env.Getenv("SUDO_UID"))
	g, err2 := strconv.Atoi(env.Getenv("SUDO_GID"))
	if err1 != nil || err2 != nil {
		return 0, 0, false
	}
	return u, g, true
}

func checkWritable(dir string) error {
	f, err := os.CreateTemp(dir, ".emmdev-write-check-*")
	if err != nil {
		return fmt.Errorf("data folder %s is not writable: %w", dir, err)
	}
	name := f.Name()
	_ = f.Close()
	return os.Remove(name)
}

// Port is one host port from extraPortMappings.
type Port struct {
	Address  string
	Port     int32
	Protocol string
	Node     int
	Index    int
}

func (p Port) String() string {
	return net.JoinHostPort(p.Address, strconv.Itoa(int(p.Port))) + "/" + p.Protocol
}

// HostPorts lists the fixed host ports the config maps (hostPort 0 is a
// random port kind picks, so there is nothing to check).
func HostPorts(cfg *v1alpha4.Cluster) []Port {
	var out []Port
	for i, n := range cfg.Nodes {
		for j, m := range n.ExtraPortMappings {
			if m.HostPort <= 0 {
				continue
			}
			addr := m.ListenAddress
			if addr == "" {
				addr = "0.0.0.0"
			}
			proto := string(m.Protocol)
			if proto == "" {
				proto = string(v1alpha4.PortMappingProtocolTCP)
			}
			out = append(out, Port{Address: addr, Port: m.HostPort, Protocol: proto, Node: i, Index: j})
		}
	}
	return out
}

// CheckPort reports whether the port can be bound, by binding it briefly.
func CheckPort(p Port) error {
	addr := net.JoinHostPort(p.Address, strconv.Itoa(int(p.Port)))
	switch p.Protocol {
	case "UDP":
		c, err := net.ListenPacket("udp", addr)
		if err != nil {
			return err
		}
		return c.Close()
	case "SCTP":
		return nil // Go cannot bind SCTP; kind/docker will report it
	default:
		l, err := net.Listen("tcp", addr)
		if err != nil {
			return err
		}
		return l.Close()
	}
}
