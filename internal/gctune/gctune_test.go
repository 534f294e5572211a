package gctune

import (
	"runtime/debug"
	"runtime/metrics"
	"testing"
)

// settings reads what the runtime uses now.
func settings(t *testing.T) (percent, limit uint64) {
	t.Helper()
	s := []metrics.Sample{{Name: "/gc/gogc:percent"}, {Name: "/gc/gomemlimit:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64(), s[1].Value.Uint64()
}

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// The cases change process-wide settings: no t.Parallel.

func TestForBatchSetsAndRestores(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(77))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(5 << 30))
	restore := ForBatch(env(nil))
	if p, l := settings(t); p != Percent || l != MemoryLimit {
		t.Errorf("while running: GOGC %d, limit %d; want %d, %d", p, l, Percent, MemoryLimit)
	}
	restore()
	if p, l := settings(t); p != 77 || l != 5<<30 {
		t.Errorf("restored: GOGC %d, limit %d; want 77, %d", p, l, 5<<30)
	}
}

// TestForBatchRespectsTheUser: GOGC or GOMEMLIMIT in the environment (the
// runtime has applied it) is left alone, each on its own.
func TestForBatchRespectsTheUser(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(77))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(5 << 30))
	for _, c := range []struct {
		env                    map[string]string
		wantPercent, wantLimit uint64
	}{
		{map[string]string{"GOGC": "77"}, 77, MemoryLimit},
		{map[string]string{"GOGC": "off"}, 77, MemoryLimit},
		{map[string]string{"GOMEMLIMIT": "5GiB"}, Percent, 5 << 30},
		{map[string]string{"GOGC": "77", "GOMEMLIMIT": "5GiB"}, 77, 5 << 30},
	} {
		restore := ForBatch(env(c.env))
		p, l := settings(t)
		restore()
		if p != c.wantPercent || l != c.wantLimit {
			t.Errorf("env %v: GOGC %d, limit %d; want %d, %d", c.env, p, l, c.wantPercent, c.wantLimit)
		}
		if p, l := settings(t); p != 77 || l != 5<<30 {
			t.Errorf("env %v: not restored: GOGC %d, limit %d", c.env, p, l)
		}
	}
}
