package testcp

import (
	"os"
	"testing"
)

// The package tests itself the way other packages use it: one shared plane
// with controllers and a kwok node.
func TestMain(m *testing.M) {
	os.Exit(Main(m, Options{Controllers: true, Kwok: true}))
}
