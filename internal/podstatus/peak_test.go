package podstatus

import (
	"testing"
	"time"
)

func TestCauseWithPeak(t *testing.T) {
	t.Parallel()
	at := t0.Add(10 * time.Minute)
	oom := pod(waiting("CrashLoopBackOff"), memLimit("256Mi"), lastTerm("OOMKilled", 137, 0, at))
	s := Summarize(oom, nil)
	if s.LastCause != OOMCause("256Mi", "") {
		t.Fatalf("Summarize says %q but OOMCause says %q: the two texts drifted apart", s.LastCause, OOMCause("256Mi", ""))
	}
	if got, want := CauseWithPeak(oom, s.LastCause, "251Mi"), "OOMKilled (limit 256Mi, peak 251Mi)"; got != want {
		t.Errorf("CauseWithPeak = %q, want %q", got, want)
	}
	if got := CauseWithPeak(oom, s.LastCause, ""); got != s.LastCause {
		t.Errorf("without a peak the cause must stay %q, got %q", s.LastCause, got)
	}
	// A probe text around the OOM part is kept.
	wrapped := "liveness probe failed: timeout (" + s.LastCause + ")"
	if got, want := CauseWithPeak(oom, wrapped, "251Mi"), "liveness probe failed: timeout (OOMKilled (limit 256Mi, peak 251Mi))"; got != want {
		t.Errorf("CauseWithPeak = %q, want %q", got, want)
	}
	// Not an OOM kill, or no limit: nothing to add.
	crash := pod(memLimit("256Mi"), lastTerm("Error", 1, 0, at))
	if c := Summarize(crash, nil).LastCause; CauseWithPeak(crash, c, "251Mi") != c {
		t.Errorf("a non-OOM cause changed: %q", CauseWithPeak(crash, c, "251Mi"))
	}
	noLimit := pod(lastTerm("OOMKilled", 137, 0, at))
	if c := Summarize(noLimit, nil).LastCause; CauseWithPeak(noLimit, c, "251Mi") != c {
		t.Errorf("an OOM kill without a limit changed: %q", CauseWithPeak(noLimit, c, "251Mi"))
	}
	if name, term := LastTermination(oom); name != "api" || term == nil || term.Reason != "OOMKilled" {
		t.Errorf("LastTermination = %q, %+v", name, term)
	}
	if name, term := LastTermination(pod()); name != "" || term != nil {
		t.Errorf("LastTermination of a pod that never restarted = %q, %+v", name, term)
	}
}
