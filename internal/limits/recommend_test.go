package limits

import (
	"testing"

	"k8s.io/apimachinery/pkg/api/resource"
)

func TestSeedNumbers(t *testing.T) {
	t.Parallel()
	peak := resource.MustParse("3.2Gi")
	if got := FormatMemory(MemoryLimit(peak.Value(), DefaultHeadroom())); got != "4Gi" {
		t.Errorf("3.2Gi peak + 20%% = %s, want 4Gi (the seed's limit)", got)
	}
	if got := FormatCPU(CPULimit(1500, DefaultHeadroom())); got != "2" {
		t.Errorf("1.5 cores peak + 20%% = %s, want 2 (the seed's limit)", got)
	}
}

func TestRounding(t *testing.T) {
	t.Parallel()
	h := DefaultHeadroom()
	mem := []struct{ peak, want string }{
		{"1Mi", "2Mi"},       // 1.2Mi → 2Mi
		{"100Mi", "128Mi"},   // 120Mi, step 16Mi → 128Mi
		{"251Mi", "320Mi"},   // 301.2 → 302Mi, step 64Mi → 320Mi
		{"1Gi", "1280Mi"},    // 1228.8 → 1229Mi, step 256Mi → 1280Mi
		{"3.2Gi", "4Gi"},     // 3933Mi, step 512Mi
		{"10Gi", "12Gi"},     // 12288Mi exactly, step 1Gi
		{"10.1Gi", "13Gi"},   // 12411Mi → step 1Gi
		{"123456", "1Mi"},    // under a Mi: one Mi
		{"512Mi", "640Mi"},   // 614.4 → 615, step 128 → 640
		{"2560Mi", "3Gi"},    // 3072Mi exactly
		{"2561Mi", "3584Mi"}, // 3073.2 → 3074Mi, step 512 → 3584Mi
	}
	for _, tc := range mem {
		q := resource.MustParse(tc.peak)
		if got := FormatMemory(MemoryLimit(q.Value(), h)); got != tc.want {
			t.Errorf("memory peak %s → %s, want %s", tc.peak, got, tc.want)
		}
	}
	cpu := []struct {
		peak int64
		want string
	}{
		{1, "10m"}, {3, "10m"}, {9, "20m"}, // round to 10m first
		{100, "120m"},   // 120m, step 10m
		{1000, "1250m"}, // 1200m exactly (not 1201m), step 250m
		{1500, "2"},
		{2500, "3"},   // 3000m
		{4000, "5"},   // 4800m, step 1000m
		{450, "600m"}, // 540m, step 100m
	}
	for _, tc := range cpu {
		if got := FormatCPU(CPULimit(tc.peak, h)); got != tc.want {
			t.Errorf("cpu peak %dm → %s, want %s", tc.peak, got, tc.want)
		}
	}
}

func TestRoundingNeverBelowPeakTimesHeadroomAndAtMostAQuarterMore(t *testing.T) {
	t.Parallel()
	h := DefaultHeadroom()
	for peak := int64(1); peak < 64*Gi; peak = peak*13/10 + 7 {
		got := MemoryLimit(peak, h)
		exact := h.apply(peak)
		if got < exact {
			t.Fatalf("memory %d: %d below peak×1.2 = %d", peak, got, exact)
		}
		if exact > 4*Mi && float64(got) > float64(exact)*1.25+Mi {
			t.Fatalf("memory %d: %d more than 25%% above %d", peak, got, exact)
		}
	}
	for peak := int64(1); peak < 200000; peak = peak*11/10 + 1 {
		got := CPULimit(peak, h)
		exact := h.apply(peak)
		if got < exact || got%10 != 0 {
			t.Fatalf("cpu %dm: %dm below %dm or not a multiple of 10m", peak, got, exact)
		}
		if exact > 40 && float64(got) > float64(exact)*1.25+10 {
			t.Fatalf("cpu %dm: %dm more than 25%% above %dm", peak, got, exact)
		}
	}
}

func TestParseHeadroom(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]int64{"1.2": 1200, "20%": 1200, "1": 1000, "50%": 1500, "1.25": 1250, "0%": 1000} {
		h, err := ParseHeadroom(in)
		if err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		if got := h.apply(1000); got != want {
			t.Errorf("%s × 1000 = %d, want %d", in, got, want)
		}
	}
	for _, bad := range []string{"", "x", "0.9", "-20%", "11", "%"} {
		if _, err := ParseHeadroom(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
