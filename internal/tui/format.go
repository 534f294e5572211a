package tui

import (
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/util/duration"

	"github.com/emmdev/emmdev/internal/podstatus"
)

// FormatRestarts is kubectl's RESTARTS column: "3 (4m ago)".
func FormatRestarts(s podstatus.Summary, now time.Time) string {
	if s.Restarts == 0 || s.LastRestart.IsZero() {
		return fmt.Sprint(s.Restarts)
	}
	return fmt.Sprintf("%d (%s ago)", s.Restarts, Age(s.LastRestart, now))
}

// Age is kubectl's short human duration ("4m", "3h12m", "2d").
func Age(t, now time.Time) string {
	if t.IsZero() {
		return "<unknown>"
	}
	return duration.HumanDuration(now.Sub(t))
}

// Ready is "x/y".
func Ready(s podstatus.Summary) string { return fmt.Sprintf("%d/%d", s.Ready, s.Total) }
