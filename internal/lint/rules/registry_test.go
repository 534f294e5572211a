package rules

import (
	"strings"
	"testing"
)

func TestDefaultRegistryIsConsistent(t *testing.T) {
	t.Parallel()
	reg, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if len(reg.All()) < 12 {
		t.Fatalf("only %d rules registered", len(reg.All()))
	}
	for _, id := range []string{"readiness-probe", "resources", "stateful-without-pvc", "plaintext-secret", "rolling-update-downtime", "image-latest", "hostpath-not-mounted", "secret-ref-missing"} {
		r, ok := reg.Get(id)
		if !ok || r.Check == nil {
			t.Errorf("rule %s missing or without logic", id)
		}
	}
}

func TestRegistryRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		meta string
		impl map[string]logic
		want string
	}{
		{"duplicate id", "- {id: a, severity: error, description: d, remediation: r}\n- {id: a, severity: warning, description: d, remediation: r}\n",
			map[string]logic{"a": {}}, `rule "a" registered twice`},
		{"metadata without logic", "- {id: a, severity: error, description: d, remediation: r}\n", map[string]logic{}, "has metadata but no logic"},
		{"logic without metadata", "- {id: a, severity: error, description: d, remediation: r}\n", map[string]logic{"a": {}, "b": {}}, `rule "b" has logic but no metadata`},
		{"missing remediation", "- {id: a, severity: error, description: d}\n", map[string]logic{"a": {}}, "remediation are required"},
		{"bad severity", "- {id: a, severity: fatal, description: d, remediation: r}\n", map[string]logic{"a": {}}, "unknown severity"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := build([]byte(tt.meta), tt.impl)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestMatchImage(t *testing.T) {
	t.Parallel()
	pats := []string{"redis", "postgres*", "bitnami/mongodb"}
	tests := []struct {
		image string
		want  bool
	}{
		{"redis", true},
		{"redis:7.4-alpine", true},
		{"docker.io/library/redis:7", true},
		{"localhost:5001/redis:7", true},
		{"ghcr.io/acme/redis@sha256:abcd", true},
		{"oliver006/redis_exporter:v1", false},
		{"postgresql:16", true},
		{"bitnami/mongodb:7", true},
		{"docker.io/bitnami/mongodb:7", true},
		{"mongodb:7", false},
		{"ghcr.io/emm/agent-api:1.0", false},
	}
	for _, tt := range tests {
		if got := matchImage(pats, tt.image); got != tt.want {
			t.Errorf("matchImage(%q) = %v, want %v", tt.image, got, tt.want)
		}
	}
}

func TestSplitImage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		image, repo, tag string
		digest           bool
	}{
		{"nginx", "nginx", "", false},
		{"nginx:1.27", "nginx", "1.27", false},
		{"localhost:5001/app", "localhost:5001/app", "", false},
		{"localhost:5001/app:2", "localhost:5001/app", "2", false},
		{"ghcr.io/a/b:1@sha256:ff", "ghcr.io/a/b", "1", true},
	}
	for _, tt := range tests {
		repo, tag, digest := splitImage(tt.image)
		if repo != tt.repo || tag != tt.tag || digest != tt.digest {
			t.Errorf("splitImage(%q) = %q %q %v", tt.image, repo, tag, digest)
		}
	}
}

func TestIndexSecrets(t *testing.T) {
	t.Parallel()
	x := NewIndex()
	x.AddSecret("agentic-ai", "a")
	x.AddSecret("", "b")
	tests := []struct {
		ns, name string
		want     bool
	}{
		{"agentic-ai", "a", true},
		{"other", "a", false},
		{"", "a", true}, // the referrer's namespace is set at deploy time
		{"anything", "b", true},
		{"agentic-ai", "c", false},
	}
	for _, tt := range tests {
		if got := x.HasSecret(tt.ns, tt.name); got != tt.want {
			t.Errorf("HasSecret(%q, %q) = %v", tt.ns, tt.name, got)
		}
	}
	ns, name, ok := SecretProvider("bitnami.com/v1alpha1", "SealedSecret", map[string]any{
		"metadata": map[string]any{"name": "s", "namespace": "n"},
		"spec":     map[string]any{"template": map[string]any{"metadata": map[string]any{"name": "t"}}},
	})
	if !ok || ns != "n" || name != "t" {
		t.Errorf("SealedSecret provides %s/%s %v, want n/t (template name wins)", ns, name, ok)
	}
	if _, _, ok := SecretProvider("v1", "ConfigMap", map[string]any{"metadata": map[string]any{"name": "c"}}); ok {
		t.Error("a ConfigMap provides no Secret")
	}
	if !(&Index{KindMounts: []string{"/mnt/data"}}).IsMountedByKind("/mnt/data/vault") {
		t.Error("a path under a mount is mounted")
	}
	if (&Index{KindMounts: []string{"/mnt/data"}}).IsMountedByKind("/mnt/database") {
		t.Error("a sibling with a common prefix is not mounted")
	}
}
