package policy

import (
	"path"
	"regexp"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/emmdev/emmdev/internal/lint/finding"
	"github.com/emmdev/emmdev/internal/lint/loader"
	"github.com/emmdev/emmdev/internal/lint/rules"
)

// failClosedRules cannot be switched off or demoted: a file nobody could
// parse must never pass.
var failClosedRules = map[string]bool{"parse": true}

// checkRuleConfig refuses a policy that would make lint fail open.
func checkRuleConfig(rule *rules.Rule, rc RuleConfig, n *yaml.Node, pe errFunc) error {
	if failClosedRules[rule.ID] && (!rc.Enabled || rc.Severity != finding.Error) {
		return pe(n, "rule %s is always on at severity error (an unparsable file must never pass); exclude files with `exclude:` instead", rule.ID)
	}
	return nil
}

// checkParam validates the items of typed string-list parameters, each
// error at the item's line.
func checkParam(rule *rules.Rule, name string, kind rules.ParamKind, n *yaml.Node, pe errFunc) error {
	for _, it := range n.Content {
		switch kind {
		case rules.GlobList:
			if _, err := path.Match(it.Value, ""); err != nil {
				return pe(it, "rule %s parameter %s: %q is not a valid glob pattern (%v)", rule.ID, name, it.Value, err)
			}
		case rules.ResourceList:
			if err := checkResourceName(it.Value); err != "" {
				return pe(it, "rule %s parameter %s: %q %s", rule.ID, name, it.Value, err)
			}
		}
	}
	return nil
}

// extendedResource is a domain-prefixed resource name (nvidia.com/gpu).
var extendedResource = regexp.MustCompile(`^[a-z0-9]([-a-z0-9.]*[a-z0-9])?/[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$`)

// checkResourceName accepts requests.X or limits.X where X is cpu, memory,
// ephemeral-storage, hugepages-<size> or an extended resource, and returns
// what is wrong otherwise.
func checkResourceName(s string) string {
	sec, res, ok := strings.Cut(s, ".")
	if !ok || (sec != "requests" && sec != "limits") {
		return "is not requests.<resource> or limits.<resource>"
	}
	switch {
	case res == "cpu" || res == "memory" || res == "ephemeral-storage":
		return ""
	case strings.HasPrefix(res, "hugepages-") && len(res) > len("hugepages-"):
		return ""
	case extendedResource.MatchString(res):
		return ""
	}
	return "names an unknown resource (want cpu, memory, ephemeral-storage, hugepages-<size> or a domain/name extended resource)"
}

// parseExclude reads the policy's `exclude:` list, checking each pattern.
func parseExclude(n *yaml.Node, pe errFunc) ([]string, error) {
	if n.Kind != yaml.SequenceNode {
		return nil, pe(n, "exclude must be a list of path patterns")
	}
	out := make([]string, 0, len(n.Content))
	for _, it := range n.Content {
		if it.Kind != yaml.ScalarNode || it.ShortTag() != "!!str" || it.Value == "" {
			return nil, pe(it, "want a non-empty path pattern")
		}
		if _, err := loader.CompileExclude([]string{it.Value}); err != nil {
			return nil, pe(it, "%v", err)
		}
		out = append(out, it.Value)
	}
	return out, nil
}
