package cluster

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/kind/pkg/apis/config/v1alpha4"
)

func TestResolveMakesHostPathsAbsolute(t *testing.T) {
	t.Parallel()
	root := "/repo"
	tests := []struct {
		name          string
		ov            FolderOverrides
		wantVault     string
		wantUnsorted  string
		wantVolumes   string
		wantExtraPath string
	}{
		{name: "relative to the repository, not the working directory", wantVault: "/repo/data/vault", wantUnsorted: "/repo/data/unsorted",
			wantVolumes: "/repo/data/volumes", wantExtraPath: "/repo/cache"},
		{name: "overrides replace the data folders only", ov: FolderOverrides{Vault: "/srv/vault", Unsorted: "/srv/unsorted", Volumes: "/srv/volumes"},
			wantVault: "/srv/vault", wantUnsorted: "/srv/unsorted", wantVolumes: "/srv/volumes", wantExtraPath: "/repo/cache"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := ParseConfig("kind-config.yaml", []byte(`kind: Cluster
apiVersion: kind.x-k8s.io/v1alpha4
nodes:
  - role: control-plane
    extraMounts:
      - {hostPath: ./data/vault, containerPath: /mnt/data/vault}
      - {hostPath: data/unsorted/, containerPath: /mnt/data/unsorted}
      - {hostPath: ./cache, containerPath: /cache}
      - {hostPath: ./data/volumes, containerPath: /var/local-path-provisioner/emm}
`))
			if err != nil {
				t.Fatal(err)
			}
			eff, f, err := Resolve(cfg, root, tt.ov)
			if err != nil {
				t.Fatal(err)
			}
			if f.Vault != tt.wantVault || f.Unsorted != tt.wantUnsorted || f.Volumes != tt.wantVolumes {
				t.Errorf("folders = %+v", f)
			}
			got := eff.Nodes[0].ExtraMounts[2].HostPath
			if got != tt.wantExtraPath {
				t.Errorf("other mount = %s, want %s", got, tt.wantExtraPath)
			}
			if eff.Name != DefaultName || !hasRegistryPatch(eff.ContainerdConfigPatches) {
				t.Errorf("name %q, patches %v", eff.Name, eff.ContainerdConfigPatches)
			}
			if cfg.Nodes[0].ExtraMounts[0].HostPath != "./data/vault" {
				t.Errorf("Resolve modified its input")
			}
		})
	}
}

func TestParseConfigErrorsCarryLines(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, data, want string
	}{
		{"wrong kind", "kind: Pod\napiVersion: v1\n", `kind-config.yaml:1: want kind: Cluster`},
		{"bad yaml", "kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes: [\n", "kind-config.yaml:3: did not find expected node content"},
		// yaml.v2 marks the token it stopped at, the next item (0-based: it
		// would say line 5).
		{"unclosed flow list mid-file", "kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n  - role: control-plane\n    labels: [a\n  - role: worker\n", "kind-config.yaml:6: did not find expected ',' or ']'"},
		{"unknown field", "kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnetworking:\n  apiServerPorts: 1\n", `kind-config.yaml:4: unknown field "apiServerPorts"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseConfig("kind-config.yaml", []byte(tt.data))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestHashIgnoresFormattingButNotContent(t *testing.T) {
	t.Parallel()
	a := "kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n- role: control-plane\n  extraMounts: [{hostPath: ./data/vault, containerPath: /mnt/data/vault}, {hostPath: ./data/unsorted, containerPath: /mnt/data/unsorted}, {hostPath: ./data/volumes, containerPath: /var/local-path-provisioner/emm}]\n"
	b := "# comment\napiVersion: kind.x-k8s.io/v1alpha4\nkind: Cluster\nnodes:\n  - role: control-plane\n    extraMounts:\n      - containerPath: /mnt/data/vault\n        hostPath: ./data/vault\n      - hostPath: ./data/unsorted\n        containerPath: /mnt/data/unsorted\n      - hostPath: ./data/volumes\n        containerPath: /var/local-path-provisioner/emm\n"
	c := strings.Replace(b, "./data/vault", "./data/vault2", 1)
	h := func(s string) string {
		cfg, err := ParseConfig("x", []byte(s))
		if err != nil {
			t.Fatal(err)
		}
		eff, _, err := Resolve(cfg, "/r", FolderOverrides{})
		if err != nil {
			t.Fatal(err)
		}
		sum, err := Hash(eff)
		if err != nil {
			t.Fatal(err)
		}
		return sum
	}
	if h(a) != h(b) {
		t.Errorf("same config, different formatting: different hashes")
	}
	if h(b) == h(c) {
		t.Errorf("different mount, same hash")
	}
}

func TestDiffShowsChangedLines(t *testing.T) {
	t.Parallel()
	got := Diff([]byte("a: 1\nb: 2\nc: 3\n"), []byte("a: 1\nb: 20\nc: 3\nd: 4\n"))
	want := "  - b: 2\n  + b: 20\n  + d: 4\n"
	if got != want {
		t.Errorf("Diff =\n%s\nwant\n%s", got, want)
	}
}

func TestEnsureFolderGivesCreatedFoldersToSudoUser(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	existing := filepath.Join(base, "existing")
	if err := os.Mkdir(existing, 0o700); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(existing, "data", "vault")
	var chowned []string
	env := FolderEnv{
		Getenv:  func(k string) string { return map[string]string{"SUDO_UID": "1234", "SUDO_GID": "5678"}[k] },
		Geteuid: func() int { return 0 },
		Chown: func(p string, uid, gid int) error {
			if uid != 1234 || gid != 5678 {
				t.Errorf("chown %s to %d:%d", p, uid, gid)
			}
			chowned = append(chowned, p)
			return nil
		},
	}
	created, err := EnsureFolder(target, true, env)
	if err != nil || !created {
		t.Fatalf("EnsureFolder: %v, created %v", err, created)
	}
	want := []string{target, filepath.Dir(target)}
	if strings.Join(chowned, ",") != strings.Join(want, ",") {
		t.Errorf("chowned %v, want exactly the created folders %v (not the existing parent)", chowned, want)
	}
	for _, d := range want {
		if fi, err := os.Stat(d); err != nil || fi.Mode().Perm() != 0o755 {
			t.Errorf("%s: mode %v, err %v", d, fi.Mode().Perm(), err)
		}
	}
	// Not under sudo: nothing is chowned.
	chowned = nil
	env.Geteuid = func() int { return 1000 }
	if _, err := EnsureFolder(filepath.Join(base, "other"), true, env); err != nil {
		t.Fatal(err)
	}
	if len(chowned) != 0 {
		t.Errorf("chowned %v without sudo", chowned)
	}
	// Dry run: reports, creates nothing.
	created, err = EnsureFolder(filepath.Join(base, "dry"), false, env)
	if err != nil || !created {
		t.Fatalf("dry run: %v %v", created, err)
	}
	if _, err := os.Stat(filepath.Join(base, "dry")); !os.IsNotExist(err) {
		t.Errorf("dry run created the folder")
	}
}

func TestHostPortsSkipsRandomPorts(t *testing.T) {
	t.Parallel()
	cfg := &v1alpha4.Cluster{Nodes: []v1alpha4.Node{{ExtraPortMappings: []v1alpha4.PortMapping{
		{ContainerPort: 1, HostPort: 0},
		{ContainerPort: 2, HostPort: 8123, ListenAddress: "127.0.0.1"},
		{ContainerPort: 3, HostPort: 53, Protocol: v1alpha4.PortMappingProtocolUDP},
	}}}}
	got := HostPorts(cfg)
	if len(got) != 2 || got[0].String() != "127.0.0.1:8123/TCP" || got[1].String() != "0.0.0.0:53/UDP" {
		t.Errorf("HostPorts = %v", got)
	}
}

func TestNewFolderOverridesFlagBeatsEnvAndRelativeIsAbsolute(t *testing.T) {
	t.Parallel()
	env := map[string]string{"EMMDEV_VAULT_DIR": "/env/vault", "EMMDEV_UNSORTED_DIR": "rel/unsorted", "EMMDEV_VOLUMES_DIR": "/env/volumes"}
	got := NewFolderOverrides("flag/vault", "", "", func(k string) string { return env[k] }, "/work")
	if got.Vault != "/work/flag/vault" {
		t.Errorf("vault = %q, want the flag resolved against the working dir", got.Vault)
	}
	if got.Unsorted != "/work/rel/unsorted" {
		t.Errorf("unsorted = %q, want the env value resolved against the working dir", got.Unsorted)
	}
	if got.Volumes != "/env/volumes" {
		t.Errorf("volumes = %q, want EMMDEV_VOLUMES_DIR", got.Volumes)
	}
	if none := NewFolderOverrides("", "", "", nil, "/work"); none != (FolderOverrides{}) {
		t.Errorf("no flags and no env: %+v, want empty overrides", none)
	}
}
