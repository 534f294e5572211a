// Package policies embeds the default emmdev lint policy so the binary works
// with no file on disk and no network.
package policies

import _ "embed"

//go:embed default.yaml
var defaultPolicy []byte

// DefaultName is how the embedded policy is named in error messages.
const DefaultName = "policies/default.yaml (embedded)"

// Default returns a copy of the embedded default policy.
func Default() []byte { return append([]byte(nil), defaultPolicy...) }
