package deploy

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/emmdev/emmdev/internal/celpolicy"
)

// The canary is how InstallAdmissionPolicies knows the API server enforces
// what it just applied: a policy and binding, applied last, that refuse a
// dry-run ConfigMap carrying this set's hash. The API server builds its
// admission snapshot from informers that deliver each kind's changes in
// order, so once the canary's latest policy and binding deny, everything
// applied before them is in force too.
const (
	canaryName  = "emmdev-policies-ready"
	canaryLabel = "emmdev.dev/canary"
)

var (
	vapGVR     = schema.GroupVersionResource{Group: "admissionregistration.k8s.io", Version: "v1", Resource: "validatingadmissionpolicies"}
	bindingGVR = schema.GroupVersionResource{Group: "admissionregistration.k8s.io", Version: "v1", Resource: "validatingadmissionpolicybindings"}
)

// PolicyInstall reports what InstallAdmissionPolicies did.
type PolicyInstall struct {
	Result
	// Pruned are emmdev policies and bindings of rules no longer exported.
	Pruned []string
	// TypeWarnings are the API server's type-checking warnings, per policy.
	TypeWarnings []string
}

// InstallAdmissionPolicies applies the objects of `emmdev policies export`
// with server-side apply, deletes the emmdev policies of rules that are
// gone, and returns once the API server enforces the set (canary) and has
// type-checked every policy (status.observedGeneration, written by
// kube-controller-manager). Nothing is left to a fixed sleep.
func (a *Applier) InstallAdmissionPolicies(ctx context.Context, objs []*unstructured.Unstructured, timeout time.Duration) (*PolicyInstall, error) {
	hash, err := setHash(objs)
	if err != nil {
		return nil, err
	}
	var list []Object
	keep := map[string]bool{canaryName: true}
	for _, o := range objs {
		list = append(list, Object{Unstructured: o.DeepCopy(), Source: "emmdev policies export"})
		if o.GetKind() == "ValidatingAdmissionPolicy" {
			keep[o.GetName()] = true
		}
	}
	out := &PolicyInstall{}
	res, err := a.Apply(ctx, list)
	out.Result = res
	if err != nil {
		return out, err
	}
	if out.Pruned, err = a.prunePolicies(ctx, keep); err != nil {
		return out, err
	}
	canary, err := canaryObjects(hash)
	if err != nil {
		return out, err
	}
	res, err = a.Apply(ctx, canary)
	out.Add(res)
	if err != nil {
		return out, err
	}
	if err := a.waitCanary(ctx, hash, keep, timeout); err != nil {
		return out, err
	}
	out.TypeWarnings, err = a.waitTypeChecked(ctx, keep, timeout)
	return out, err
}

// setHash names this exact set of objects, so a canary from an earlier
// install cannot pass for this one.
func setHash(objs []*unstructured.Unstructured) (string, error) {
	h := sha256.New()
	for _, o := range objs {
		data, err := json.Marshal(o.Object)
		if err != nil {
			return "", err
		}
		h.Write(data)
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

func canaryObjects(hash string) ([]Object, error) {
	meta := map[string]any{"name": canaryName, "labels": map[string]any{celpolicy.ManagedByLabel: celpolicy.ManagedBy}}
	vap := map[string]any{
		"apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingAdmissionPolicy", "metadata": meta,
		"spec": map[string]any{
			"failurePolicy": "Fail",
			"matchConstraints": map[string]any{"resourceRules": []any{map[string]any{
				"apiGroups": []any{""}, "apiVersions": []any{"v1"}, "operations": []any{"CREATE"}, "resources": []any{"configmaps"},
			}}},
			"validations": []any{map[string]any{"expression": "false", "message": "emmdev admission policies " + hash + " are active"}},
		},
	}
	binding := map[string]any{
		"apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingAdmissionPolicyBinding", "metadata": meta,
		"spec": map[string]any{
			"policyName":        canaryName,
			"validationActions": []any{"Deny"},
			"matchResources": map[string]any{"objectSelector": map[string]any{
				"matchLabels": map[string]any{canaryLabel: hash},
			}},
		},
	}
	var out []Object
	for _, m := range []map[string]any{vap, binding} {
		// Each object gets its own copy of the shared metadata.
		data, err := json.Marshal(m)
		if err != nil {
			return nil, err
		}
		u := &unstructured.Unstructured{}
		if err := u.UnmarshalJSON(data); err != nil {
			return nil, err
		}
		out = append(out, Object{Unstructured: u, Source: "emmdev admission canary"})
	}
	return out, nil
}

// waitCanary polls a dry-run create of a ConfigMap only this set's canary
// binding matches, until the canary policy denies it. The ConfigMap
// suppresses every emmdev rule, so none of them can answer first.
func (a *Applier) waitCanary(ctx context.Context, hash string, policies map[string]bool, timeout time.Duration) error {
	want := "emmdev admission policies " + hash + " are active"
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{
		Name: "emmdev-policies-canary", Namespace: metav1.NamespaceDefault,
		Labels:      map[string]string{canaryLabel: hash},
		Annotations: map[string]string{},
	}}
	for name := range policies {
		if id, ok := strings.CutPrefix(name, "emmdev-"); ok {
			cm.Annotations[celpolicy.SuppressPrefix+id] = "the emmdev admission canary"
		}
	}
	var last error
	err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, timeout, true, func(ctx context.Context) (bool, error) {
		_, err := a.Clients.Kube.CoreV1().ConfigMaps(cm.Namespace).Create(ctx, cm, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		if err != nil && strings.Contains(err.Error(), want) {
			return true, nil
		}
		last = err
		return false, nil
	})
	if err != nil {
		if last == nil {
			return fmt.Errorf("the API server did not start enforcing the admission policies within %s: %w", timeout, err)
		}
		return fmt.Errorf("the API server did not start enforcing the admission policies within %s (last answer: %w): %w", timeout, last, err)
	}
	return nil
}

// waitTypeChecked waits until kube-controller-manager has type-checked every
// emmdev policy and returns its warnings.
func (a *Applier) waitTypeChecked(ctx context.Context, names map[string]bool, timeout time.Duration) ([]string, error) {
	var warnings []string
	pending := ""
	err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, timeout, true, func(ctx context.Context) (bool, error) {
		warnings, pending = nil, ""
		for name := range names {
			if name == canaryName {
				continue
			}
			u, err := a.Clients.Dynamic.Resource(vapGVR).Get(ctx, name, metav1.GetOptions{})
			if err != nil {
				pending = name
				return false, nil
			}
			observed, _, _ := unstructured.NestedInt64(u.Object, "status", "observedGeneration")
			if observed < u.GetGeneration() {
				pending = name
				return false, nil
			}
			ws, _, _ := unstructured.NestedSlice(u.Object, "status", "typeChecking", "expressionWarnings")
			for _, w := range ws {
				m, _ := w.(map[string]any)
				warnings = append(warnings, fmt.Sprintf("%s %v: %v", name, m["fieldRef"], strings.TrimSpace(fmt.Sprint(m["warning"]))))
			}
		}
		return true, nil
	})
	if err != nil {
		return nil, fmt.Errorf("kube-controller-manager did not type-check policy %s within %s: %w", pending, timeout, err)
	}
	return warnings, nil
}

// prunePolicies deletes emmdev's policies and bindings that keep does not
// name: rules removed from policies/ must stop being enforced.
func (a *Applier) prunePolicies(ctx context.Context, keep map[string]bool) ([]string, error) {
	var pruned []string
	sel := celpolicy.ManagedByLabel + "=" + celpolicy.ManagedBy
	for _, gvr := range []schema.GroupVersionResource{bindingGVR, vapGVR} {
		list, err := a.Clients.Dynamic.Resource(gvr).List(ctx, metav1.ListOptions{LabelSelector: sel})
		if err != nil {
			return pruned, fmt.Errorf("listing %s: %w", gvr.Resource, err)
		}
		for _, it := range list.Items {
			if keep[it.GetName()] {
				continue
			}
			err := a.Clients.Dynamic.Resource(gvr).Delete(ctx, it.GetName(), metav1.DeleteOptions{})
			if err != nil && !apierrors.IsNotFound(err) {
				return pruned, fmt.Errorf("deleting %s %s: %w", it.GetKind(), it.GetName(), err)
			}
			pruned = append(pruned, it.GetKind()+" "+it.GetName())
		}
	}
	return pruned, nil
}
