package seal

import (
	"strings"
	"testing"
)

func TestDecodeSecretsErrors(t *testing.T) {
	t.Parallel()
	const secret = "SECRETVALUE"
	ok := "apiVersion: v1\nkind: Secret\nmetadata:\n  name: a\n  namespace: ns\nstringData:\n  K: " + secret + "\n"
	tests := []struct{ name, in, want string }{
		{"yaml syntax in second doc", ok + "---\napiVersion: v1\nkind: Secret\nstringData:\n  K: \"" + secret + "\n  bad: [\n", "in.yaml:"},
		{"wrong kind", ok + "---\napiVersion: v1\nkind: ConfigMap\n", `in.yaml:9: expected v1 Secret, found "v1" "ConfigMap"`},
		{"typo field is not ignored", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: a\nstringdata:\n  K: " + secret + "\n", `in.yaml:5: unknown field "stringdata"`},
		{"bad base64 in data", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: a\ndata:\n  K: " + secret + "!\n", `in.yaml:6: data key "K"`},
		{"empty", "# nothing\n", "in.yaml: no Secret found"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := DecodeSecrets("in.yaml", []byte(tc.in))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error leaks the value: %v", err)
			}
		})
	}
}

func TestDecodeSecretsYAMLLineIsFileLine(t *testing.T) {
	t.Parallel()
	in := "apiVersion: v1\nkind: Secret\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: b\n   bad indent: x\n"
	_, err := DecodeSecrets("f.yaml", []byte(in))
	if err == nil || !strings.HasPrefix(err.Error(), "f.yaml:10:") {
		t.Fatalf("got %v, want an error at f.yaml:10", err)
	}
}
