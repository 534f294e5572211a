package celpolicy

import admv1 "k8s.io/api/admissionregistration/v1"

// AdmissionPolicyForTest exposes what Export writes for a rule, without
// the checks Load runs, so tests can show the cluster what lint refused.
func (r *Rule) AdmissionPolicyForTest() *admv1.ValidatingAdmissionPolicy { return r.admissionPolicy() }

// BindingForTest is the binding Export writes for a rule.
func (r *Rule) BindingForTest(action admv1.ValidationAction) *admv1.ValidatingAdmissionPolicyBinding {
	return r.binding(action)
}
