package finding

import "testing"

func TestFieldPath(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		path []string
		want string
	}{
		{nil, ""},
		{[]string{"spec", "replicas"}, "spec.replicas"},
		{[]string{"spec", "template", "spec", "containers", "0", "ports", "1", "name"}, "spec.template.spec.containers[0].ports[1].name"},
		{[]string{"metadata", "labels", "app.kubernetes.io/name"}, "metadata.labels[app.kubernetes.io/name]"},
		{[]string{"data", "bad key!"}, "data[bad key!]"},
		{[]string{"data", ""}, "data[]"},
		{[]string{"0"}, "[0]"},
	} {
		if got := FieldPath(tt.path); got != tt.want {
			t.Errorf("FieldPath(%q) = %q, want %q", tt.path, got, tt.want)
		}
	}
}
