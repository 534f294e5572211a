// Package celpolicy reads emmdev's custom rules (CELPolicy documents in
// policies/*.yaml), checks them the way kube-apiserver 1.37 checks a
// ValidatingAdmissionPolicy (plus a type check against the built-in schemas,
// so a misspelt field is an error at the policy file's line), evaluates them
// offline with the API server's own admission CEL libraries, and exports them
// as ValidatingAdmissionPolicy + ValidatingAdmissionPolicyBinding objects.
//
// Every rule becomes one policy and one binding named emmdev-<rule id>, so
// the offline evaluation and the cluster see exactly the same unit: the same
// match constraints, variables, parameters, cost budget and message.
package celpolicy
