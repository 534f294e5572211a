// Package peers runs the fixtures of the tools emmdev lint replaces through
// emmdev's API-level rules and sets every verdict next to what the peer's
// own tests expect: kubeconform v0.8.0 (its fixtures/ folder and the
// exit statuses its acceptance.bats asserts) and kube-score (its score and
// parser testdata and the grades its Go tests assert). Each deliberate
// difference is explained in testdata/*.yaml; the test fails when a verdict
// moves or a fixture appears that the expectations do not cover.
//
// The peers' sources come from the Go module cache: kubeconform is a module
// dependency; kube-score is not, so `make peer-fixtures` (run by
// `make test`) downloads it with `go mod download`. The tests never touch
// the network (GOPROXY=off); without the modules they skip, and fail
// under CI.
package peers
