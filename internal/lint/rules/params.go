package rules

// Parameter kinds whose values are string lists with a meaning the policy
// loader checks, so a typo fails when the policy loads instead of silently
// switching a check off. Values start at 10 to stay clear of the basic
// kinds in registry.go.
const (
	// GlobList is a list of path.Match patterns (stateful image names).
	GlobList ParamKind = iota + 10
	// ResourceList is a list of section.resource names
	// (requests.cpu, limits.memory, limits.nvidia.com/gpu, ...).
	ResourceList
)

// IsStringList reports whether values of kind k are string lists.
func (k ParamKind) IsStringList() bool {
	return k == StringList || k == GlobList || k == ResourceList
}
