package seal

import (
	"strings"
	"testing"
)

// TestDecodeErrorsAreValueFree feeds values the YAML and JSON libraries
// would quote in their messages and checks that no error carries them,
// and that each error points at the offending key's line. Explicit tags
// (!!int x) are read as lint's loader reads them; where that yields a
// string, the Secret is accepted (want ""), and any error must still be
// value-free.
func TestDecodeErrorsAreValueFree(t *testing.T) {
	t.Parallel()
	const v = "SUPERSECRET"
	head := "apiVersion: v1\nkind: Secret\nmetadata:\n  name: a\n" // lines 1-4
	tests := []struct{ name, in, want string }{
		{"flow !!int", head + "stringData: {a: !!int " + v + "}\n", ""},
		{"!!int", head + "stringData:\n  a: !!int " + v + "\n", ""},
		{"!!float", head + "stringData:\n  x: y\n  a: !!float " + v + "\n", ""},
		{"!!bool", head + "stringData:\n  a: !!bool " + v + "\n", ""},
		{"!!binary junk", head + "stringData:\n  a: !!binary " + v + "*!\n", ""},
		{"!!timestamp", head + "stringData:\n  a: !!timestamp " + v + "\n", ""},
		{"!!null", head + "stringData:\n  a: !!null " + v + "\n", ""},
		{"tagged key", head + "stringData:\n  !!int " + v + ": x\n", ""},
		{"tagged apiVersion", "apiVersion: !!int " + v + "\nkind: Secret\n", "s.yaml:1: cannot decode !!str <value> as a !!int (kubectl fails on this file)"},
		{"number in stringData", head + "stringData:\n  a: 123456789\n", "s.yaml:6:"},
		{"big number in data", head + "data:\n  a: 98765432109876543210\n", "s.yaml:6:"},
		{"list in stringData", head + "stringData:\n  a: [" + v + "]\n", "s.yaml:6:"},
		{"map in data", head + "data:\n  a: {" + v + ": 1}\n", "s.yaml:6:"},
		{"stringData is a string", head + "stringData: " + v + "\n", "s.yaml:5:"},
		{"immutable is a string", head + "immutable: " + v + "\n", "s.yaml:5:"},
		{"type is a list", head + "type: [" + v + "]\n", "s.yaml:5:"},
		{"bad base64", head + "data: {a: \"x!!!\"}\n", "s.yaml:5:"},
		{"bad base64 block", head + "data:\n  ok: aGk=\n  a: " + v + "!\n", "s.yaml:7:"},
		{"!!binary in data", head + "data:\n  a: !!binary U1VQRVJTRUNSRVQ=\n", ""},
		{"typo", head + "stringdata:\n  a: " + v + "\n", "s.yaml:5: unknown field"},
		{"nested typo", head + "  namspace: x\nstringData:\n  a: " + v + "\n", "s.yaml:5: unknown field"},
		{"duplicate key", head + "stringData:\n  a: x\n  a: " + v + "\n", "s.yaml:7: duplicate key \"a\" (first at line 6)"},
		{"unterminated quote", head + "stringData:\n  a: \"" + v + "\n", "s.yaml:"},
		{"bad escape", head + "stringData:\n  a: \"" + v + "\\q\"\n", "s.yaml:6:"},
		{"unknown anchor", head + "stringData:\n  a: *" + v + "\n", "s.yaml:6: an alias (*name) without its anchor"},
		{"json wrong type", `{"apiVersion": "v1", "kind": "Secret",` + "\n" + `"stringData": {"a": 4242424242}}`, "s.yaml:2:"},
		{"raw value instead of a manifest", v + "\n", "s.yaml:1: document 1 is a string, want a Kubernetes object"},
		{"list instead of a manifest", "- " + v + "\n", "s.yaml:1: document 1 is a list, want a Kubernetes object"},
		{"unclosed flow list", head + "stringData:\n  a: [" + v + "\n", "s.yaml:"},
		{"ConfigMap data is not base64", "apiVersion: v1\nkind: ConfigMap\ndata:\n  a: x!!!\n", `s.yaml:1: expected v1 Secret, found "v1" "ConfigMap"`},
		{"second document", head + "---\n" + head + "stringData:\n  a: !!int " + v + "\n", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := DecodeSecrets("s.yaml", []byte(tc.in))
			if err == nil {
				if tc.want != "" {
					t.Fatal("no error")
				}
				return
			}
			for _, leak := range []string{v, "123456789", "98765432109876543210", "4242424242", "x!!!", "U1VQRVJTRUNSRVQ"} {
				if strings.Contains(err.Error(), leak) {
					t.Errorf("error leaks the value %q: %v", leak, err)
				}
			}
			if !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("got %v, want prefix %q", err, tc.want)
			}
			if testing.Verbose() {
				t.Log(err)
			}
		})
	}
}

func TestDecodeSealedSecretErrorsPointAtKey(t *testing.T) {
	t.Parallel()
	in := "apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata:\n  name: a\nspec:\n  encryptedData:\n    a: 98765432109876543210\n"
	_, err := DecodeSealedSecrets("x.yaml", []byte(in))
	if err == nil || !strings.HasPrefix(err.Error(), "x.yaml:7:") || strings.Contains(err.Error(), "98765432109876543210") {
		t.Fatalf("got %v, want a value-free error at x.yaml:7", err)
	}
	in = "apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata:\n  name: a\nspec:\n  template:\n    dta: {}\n"
	if _, err = DecodeSealedSecrets("x.yaml", []byte(in)); err == nil || !strings.HasPrefix(err.Error(), `x.yaml:7: unknown field "spec.template.dta"`) {
		t.Fatalf("got %v, want the unknown field at x.yaml:7", err)
	}
}

func TestScrub(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"cannot decode !!str `S3` as a !!int", `key "S3" already set`, "found 'S3", "unclosed 'S3, ", "cannot unmarshal number S3 into x", "unterminated `S3"} {
		if got := scrub(in); strings.Contains(got, "S3") {
			t.Errorf("scrub(%q) = %q", in, got)
		}
	}
	if in := "did not find expected ',' or ']'"; scrub(in) != in {
		t.Errorf("scrub(%q) = %q, want it unchanged", in, scrub(in))
	}
}
