// Package limits turns evidence of what containers really use into resource
// limits, the way the EMM team sized the content classifier by hand: run
// it, take the peak, add 20%. It reads the containers of the manifests with
// the position of every resource value, gathers peaks from Prometheus or by
// sampling the metrics API, recommends rounded limits and writes them back
// into the YAML in place, changing nothing but those values.
package limits

import (
	"fmt"
	"math/big"
	"strconv"
)

// Mi and Gi in bytes.
const (
	Mi = 1 << 20
	Gi = 1 << 30
)

// Rounding. A recommendation is rounded up twice: first to the unit of the
// issue (memory to whole Mi, CPU to 10m), then to a "readable" step, the
// largest one that is at most a quarter of the value, so the number lands on
// something a person would write and the extra stays under 25%:
//
//	memory steps: 1Mi, 2Mi, 4Mi, … 512Mi, 1Gi (powers of two)
//	cpu steps:    10m, 50m, 100m, 250m, 500m, 1 (cpu), all multiples of 10m
//
// The seed's numbers: a 3.2Gi peak × 1.2 = 3.84Gi = 3933Mi, step 512Mi →
// 4Gi; a 1.5-core peak × 1.2 = 1800m, step 250m → 2 CPU.
var (
	memStepsMi = []int64{1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024}
	cpuStepsM  = []int64{10, 50, 100, 250, 500, 1000}
)

// roundStep rounds v (> 0) up to a multiple of the largest step ≤ v/4.
func roundStep(v int64, steps []int64) int64 {
	step := steps[0]
	for _, s := range steps {
		if s*4 <= v {
			step = s
		}
	}
	return ceilDiv(v, step) * step
}

func ceilDiv(a, b int64) int64 { return (a + b - 1) / b }

// Headroom is the factor applied to a peak, exact to 1/10000 so 1.2 means
// 1.2 and not 1.19999…: 1000m × 1.2 must be 1200m, not 1201m.
type Headroom struct{ r *big.Rat }

// ParseHeadroom reads "1.2" or "20%" (both: peak plus 20%). It must be at
// least 1 (no headroom) and at most 10.
func ParseHeadroom(s string) (Headroom, error) {
	r := new(big.Rat)
	pct := len(s) > 0 && s[len(s)-1] == '%'
	num := s
	if pct {
		num = s[:len(s)-1]
	}
	if _, ok := r.SetString(num); !ok || num == "" {
		return Headroom{}, fmt.Errorf("headroom %q: want a factor like 1.2 or a percentage like 20%%", s)
	}
	if pct {
		r.Quo(r, big.NewRat(100, 1)).Add(r, big.NewRat(1, 1))
	}
	if r.Cmp(big.NewRat(1, 1)) < 0 || r.Cmp(big.NewRat(10, 1)) > 0 {
		return Headroom{}, fmt.Errorf("headroom %q: must be between 1 (the peak itself) and 10", s)
	}
	return Headroom{r}, nil
}

// DefaultHeadroom is the seed's rule: peak + 20%.
func DefaultHeadroom() Headroom { return Headroom{big.NewRat(6, 5)} }

func (h Headroom) String() string {
	if h.r == nil {
		return DefaultHeadroom().String()
	}
	f, _ := h.r.Float64()
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// apply returns ceil(v × h).
func (h Headroom) apply(v int64) int64 {
	r := h.r
	if r == nil {
		r = DefaultHeadroom().r
	}
	x := new(big.Int).Mul(big.NewInt(v), r.Num())
	q, m := new(big.Int).QuoRem(x, r.Denom(), new(big.Int))
	if m.Sign() > 0 {
		q.Add(q, big.NewInt(1))
	}
	return q.Int64()
}

// MemoryLimit is the recommended memory limit in bytes for a peak in bytes.
func MemoryLimit(peakBytes int64, h Headroom) int64 {
	mi := ceilDiv(max(h.apply(peakBytes), 1), Mi)
	return roundStep(mi, memStepsMi) * Mi
}

// CPULimit is the recommended CPU limit in millicores for a peak in
// millicores.
func CPULimit(peakMilli int64, h Headroom) int64 {
	m := ceilDiv(max(h.apply(peakMilli), 1), 10) * 10
	return roundStep(m, cpuStepsM)
}

// FormatMemory writes bytes the way the manifests do: "4Gi", or "320Mi".
func FormatMemory(b int64) string {
	if b%Gi == 0 {
		return strconv.FormatInt(b/Gi, 10) + "Gi"
	}
	if b%Mi == 0 {
		return strconv.FormatInt(b/Mi, 10) + "Mi"
	}
	return strconv.FormatInt(b, 10)
}

// FormatCPU writes millicores the way the manifests do: "2", or "250m".
func FormatCPU(m int64) string {
	if m%1000 == 0 {
		return strconv.FormatInt(m/1000, 10)
	}
	return strconv.FormatInt(m, 10) + "m"
}
