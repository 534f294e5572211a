// Package dryrun holds the integration test that a real kube-apiserver
// (internal/testcp) accepts every object of manifests/ and of the production
// overlay: a server-side apply with dry-run and strict field validation,
// after the SealedSecret CRD is installed. It has no code of its own; it is
// a package apart so that only this test pays for starting a control plane.
package dryrun
