package celpolicy_test

import "testing"

// BenchmarkLoadShipped measures what every lint run pays for the shipped
// policies: parsing, the API server's validation, type and cost checks and
// compiling.
func BenchmarkLoadShipped(b *testing.B) {
	for b.Loop() {
		shipped(b)
	}
}
