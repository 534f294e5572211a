package loader

import (
	"strings"
	"testing"
)

// TestFastPathFoundCases are the disagreements between the fast path and
// yaml.v3 that the generated inputs found (minimised), each a case the
// fast path now reads the same way or leaves to yaml.v3.
func TestFastPathFoundCases(t *testing.T) {
	const obj = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"
	for _, c := range []struct{ name, src string }{
		// yaml.v3's reader checks 512 bytes and more ahead of its parser:
		// the control character of the third document is an error of the
		// first, which the fast path had returned.
		{"control character in a later document", obj + "---\n" + obj + "---\n" + obj + "data:\n  a: \x01\n"},
		{"DEL in a later document", obj + "---\n" + obj + "---\n" + obj + "# \x7f\n"},
		{"invalid UTF-8 in a later document", obj + "---\n" + obj + "---\n" + obj + "data:\n  a: \xff\n"},
		{"C1 control in a later comment", obj + "---\n" + obj + "---\n" + obj + "# \u0080\n"},
		// yaml.v3 takes no simple key of more than 1024 characters.
		{"quoted key over 1024 characters", obj + "'" + strings.Repeat("q", 1100) + "': 2\n"},
		{"double-quoted key over 1024 characters", obj + "\"" + strings.Repeat("q", 1100) + "\": 2\n"},
		{"flow key over 1024 characters", obj + "data: {" + strings.Repeat("k", 1100) + ": 1}\n"},
		{"quoted flow key over 1024 characters", obj + "data: {'" + strings.Repeat("k", 1100) + "': 1}\n"},
		// yaml.v3 ends a plain scalar at '?' in flow context.
		{"question mark in a flow scalar", obj + "data: [x?]\n"},
		{"question mark in a flow mapping value", obj + "data: {a: x?y}\n"},
		{"question mark in a flow key", obj + "data: {a?: x}\n"},
		{"tab on the first line of a block scalar", obj + "data:\n  a: |\n    \tx\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			compareFast(t, c.name, []byte(c.src))
		})
	}
}
