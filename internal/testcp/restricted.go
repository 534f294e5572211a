package testcp

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	authorizationv1 "k8s.io/api/authorization/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// restrictedRole is the Role a restricted user gets in each allowed namespace.
const restrictedRole = "testcp-pod-reader"

// RestrictedConfig returns a rest.Config for a fresh user (its own client
// certificate, no groups beyond system:authenticated) that may only get,
// list and watch pods and events in the given namespaces: everything else,
// such as pods of another namespace or all namespaces, is Forbidden.
func (c *ControlPlane) RestrictedConfig(t testing.TB, namespaces ...string) *rest.Config {
	t.Helper()
	user := "testcp-restricted-" + strings.ToLower(rand.Text()[:8])
	rc, err := c.p.userConfig(user)
	if err != nil {
		t.Fatalf("testcp: restricted user: %v", err)
	}
	ctx := context.Background()
	rbac := c.Clientset.RbacV1()
	for _, ns := range namespaces {
		role := &rbacv1.Role{
			ObjectMeta: metav1.ObjectMeta{Name: restrictedRole},
			Rules: []rbacv1.PolicyRule{{
				APIGroups: []string{""},
				Resources: []string{"pods", "events"},
				Verbs:     []string{"get", "list", "watch"},
			}},
		}
		if _, err := rbac.Roles(ns).Create(ctx, role, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			t.Fatalf("testcp: role in %s: %v", ns, err)
		}
		binding := &rbacv1.RoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: user},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: restrictedRole},
			Subjects:   []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: rbacv1.UserKind, Name: user}},
		}
		if _, err := rbac.RoleBindings(ns).Create(ctx, binding, metav1.CreateOptions{}); err != nil {
			t.Fatalf("testcp: role binding in %s: %v", ns, err)
		}
		t.Cleanup(func() {
			err := rbac.RoleBindings(ns).Delete(context.Background(), user, metav1.DeleteOptions{})
			if err != nil && !apierrors.IsNotFound(err) {
				t.Errorf("testcp: delete role binding in %s: %v", ns, err)
			}
		})
	}
	// RBAC reaches the authorizer through an informer: wait until the
	// grant is visible so the first request of the test is not refused.
	if err := waitAllowed(ctx, rc, namespaces); err != nil {
		t.Fatalf("testcp: restricted user: %v", err)
	}
	return rc
}

func waitAllowed(ctx context.Context, rc *rest.Config, namespaces []string) error {
	cs, err := kubernetes.NewForConfig(rc)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for _, ns := range namespaces {
		review := &authorizationv1.SelfSubjectAccessReview{Spec: authorizationv1.SelfSubjectAccessReviewSpec{
			ResourceAttributes: &authorizationv1.ResourceAttributes{Namespace: ns, Verb: "list", Resource: "pods"},
		}}
		for {
			res, err := cs.AuthorizationV1().SelfSubjectAccessReviews().Create(ctx, review, metav1.CreateOptions{})
			if err == nil && res.Status.Allowed {
				break
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("list pods in %s still not allowed: %w", ns, errors.Join(err, ctx.Err()))
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
	return nil
}
