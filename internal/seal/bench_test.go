package seal

import (
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	ssv1 "github.com/bitnami/sealed-secrets/pkg/apis/sealedsecrets/v1alpha1"
	corev1 "k8s.io/api/core/v1"

	"github.com/emmdev/emmdev/internal/dotenv"
)

// BenchmarkSealEnv1000 parses a 1,000-key .env and seals it with a 4096-bit
// key (the controller's and the dev key's size), then encodes it as YAML:
// the whole `emmdev seal --from-env-file` path minus file I/O.
func BenchmarkSealEnv1000(b *testing.B) {
	kp, err := GenerateKeyPair(DefaultKeyBits, DefaultValidity)
	if err != nil {
		b.Fatal(err)
	}
	var env strings.Builder
	for i := range 1000 {
		fmt.Fprintf(&env, "KEY_%04d=\"value-%d-%s\"\n", i, i, strings.Repeat("x", 40))
	}
	doc := []byte(env.String())
	// CPU time per op next to wall time: the shared CI/dev machines are
	// often oversubscribed, and CPU time is what the code controls.
	start := cpuTime(b)
	n := 0
	b.ResetTimer()
	for b.Loop() {
		n++
		entries, err := dotenv.ParseBytes("bench.env", doc)
		if err != nil {
			b.Fatal(err)
		}
		s := testSecret("bench", "agentic-ai", make(map[string][]byte, len(entries)))
		for _, e := range entries {
			s.Data[e.Key] = []byte(e.Value)
		}
		s.Type = corev1.SecretTypeOpaque
		ss, err := SealSecret(s, &kp.Key.PublicKey, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Encode([]*ssv1.SealedSecret{ss}, FormatYAML); err != nil || len(ss.Spec.EncryptedData) != 1000 {
			b.Fatal("bad result")
		}
	}
	b.ReportMetric(float64((cpuTime(b)-start).Milliseconds())/float64(n), "cpu-ms/op")
}

func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
