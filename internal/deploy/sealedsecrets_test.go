package deploy

import (
	"strings"
	"testing"
	"time"

	"github.com/emmdev/emmdev/internal/seal"
)

func TestControllerWithKeyPutsTheKeyBeforeTheController(t *testing.T) {
	t.Parallel()
	kp, err := seal.GenerateKeyPair(2048, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	objs, err := ControllerWithKey(kp)
	if err != nil {
		t.Fatal(err)
	}
	pos := map[string]int{}
	for i, o := range objs {
		pos[o.ID()] = i
	}
	crd, okC := pos["CustomResourceDefinition sealedsecrets.bitnami.com"]
	key, okK := pos["Secret kube-system/"+seal.DevKeySecretName]
	dep, okD := pos["Deployment kube-system/"+seal.ControllerName]
	if !okC || !okK || !okD || crd > key || key > dep {
		t.Fatalf("order %v", ids(objs))
	}
	sec := objs[key]
	if sec.GetLabels()["sealedsecrets.bitnami.com/sealed-secrets-key"] != "active" {
		t.Errorf("key secret labels %v", sec.GetLabels())
	}
	if _, has := sec.Object["metadata"].(map[string]any)["creationTimestamp"]; has {
		t.Errorf("creationTimestamp would make every apply a change")
	}
	if strings.Contains(sec.Source, "PRIVATE") {
		t.Errorf("source leaks key material")
	}
	// The controller must not rotate the dev key away.
	args := objs[dep].Object["spec"].(map[string]any)["template"].(map[string]any)["spec"].(map[string]any)["containers"].([]any)[0].(map[string]any)["args"]
	if !strings.Contains(strings.Join(toStrings(args), " "), "--key-renew-period=0") {
		t.Errorf("controller args %v", args)
	}
}

func toStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}
