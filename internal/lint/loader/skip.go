package loader

import (
	"path"
	"path/filepath"
	"strings"
)

// Skipped is a file or directory left out because it is known not to hold
// Kubernetes manifests; the command prints one notice line per entry.
type Skipped struct {
	Path   string
	Reason string
}

// helmChartReason is shown for a directory holding a Chart.yaml: its
// templates are not YAML until helm renders them.
const helmChartReason = "Helm chart (templates are not YAML until rendered: helm template DIR | emmdev lint -)"

// NotManifest says why a file found in a tree is known not to be a
// Kubernetes manifest, or "" when it may be one. It goes by well-known names
// only; content that merely lacks apiVersion/kind is a parse finding, so a
// broken manifest is never mistaken for tool configuration.
func NotManifest(rel string) string {
	p := filepath.ToSlash(rel)
	base := path.Base(p)
	lower := strings.ToLower(base)
	switch {
	case lower == "kustomization.yaml" || lower == "kustomization.yml" || lower == "kustomization":
		return "kustomization file (lint what it renders with -k DIR)"
	case base == "Chart.yaml" || base == "Chart.yml" || base == "Chart.lock":
		return "Helm chart metadata"
	case (strings.HasPrefix(lower, "values") && isYAMLName(lower)) || lower == "values.schema.json":
		return "Helm values file"
	case lower == ".pre-commit-config.yaml" || lower == ".pre-commit-hooks.yaml":
		return "pre-commit configuration"
	case strings.Contains("/"+p, "/.github/workflows/"):
		return "GitHub Actions workflow"
	case strings.Contains("/"+p, "/.github/"):
		return "GitHub configuration"
	case lower == ".gitlab-ci.yml" || lower == "azure-pipelines.yml" || lower == ".travis.yml" || lower == "appveyor.yml" ||
		lower == "bitbucket-pipelines.yml" || lower == "cloudbuild.yaml" || lower == "codecov.yml" || lower == ".codecov.yml":
		return "CI configuration"
	case strings.HasPrefix(lower, "kind-config") && isYAMLName(lower):
		return "kind cluster configuration"
	case lower == "prometheus.yml" || lower == "prometheus.yaml" || lower == "alertmanager.yml" || lower == "alertmanager.yaml":
		return "Prometheus configuration (not a Kubernetes object; mount it through a ConfigMap)"
	case strings.HasPrefix(lower, "docker-compose") && isYAMLName(lower), lower == "compose.yaml", lower == "compose.yml":
		return "Docker Compose file"
	case lower == "skaffold.yaml" || lower == "devspace.yaml" || lower == "tilt_config.json" || lower == "garden.yml":
		return "dev-loop tool configuration"
	case lower == ".golangci.yml" || lower == ".golangci.yaml" || lower == ".goreleaser.yml" || lower == ".goreleaser.yaml" ||
		lower == ".yamllint" || lower == ".yamllint.yaml" || lower == "mkdocs.yml" || lower == ".readthedocs.yaml" ||
		lower == "dependabot.yml" || lower == "renovate.json" || lower == "catalog-info.yaml":
		return "tool configuration"
	case lower == "package.json" || lower == "package-lock.json" || lower == "tsconfig.json" || lower == "composer.json" ||
		lower == "pnpm-lock.yaml" || lower == "pubspec.yaml":
		return "package manager file"
	case lower == "openapi.yaml" || lower == "openapi.json" || lower == "swagger.yaml" || lower == "swagger.json":
		return "OpenAPI document"
	}
	return ""
}

func isYAMLName(lower string) bool {
	return strings.HasSuffix(lower, ".yaml") || strings.HasSuffix(lower, ".yml")
}
