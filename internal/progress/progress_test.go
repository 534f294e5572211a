package progress

import (
	"bytes"
	"strings"
	"testing"
)

func TestPrinterOutput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		tty       bool
		color     bool
		level     Level
		want      []string // substrings that must appear, in order
		forbidden []string
	}{
		{name: "plain lines off a terminal", level: Normal,
			want:      []string{" • Preflight ...\n", " ✓ Preflight\n", " • Cluster ...\n", " ✗ Cluster\n"},
			forbidden: []string{"\x1b[", "\r", "detail"}},
		{name: "verbose shows detail", level: Verbose,
			want: []string{" • Preflight ...\n", "   detail 42\n", " ✓ Preflight\n"}},
		{name: "quiet prints only failures", level: Quiet,
			want:      []string{" ✗ Cluster\n"},
			forbidden: []string{"Preflight", "count"}},
		{name: "colour on a terminal", tty: true, color: true, level: Normal,
			want: []string{"\x1b[32m✓\x1b[0m Preflight", "\x1b[31m✗\x1b[0m Cluster"}},
		{name: "no colour on a terminal with NO_COLOR", tty: true, color: false, level: Normal,
			want: []string{"\r\x1b[2K ✓ Preflight\n"}, forbidden: []string{"\x1b[32m", "\x1b[31m"}},
		{name: "colour ignored off a terminal", tty: false, color: true, level: Normal,
			want: []string{" ✓ Preflight\n"}, forbidden: []string{"\x1b["}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			p := New(&buf, tt.tty, tt.color, tt.level)
			s := p.Start("Preflight")
			p.Detail("detail %d", 42)
			s.Done()
			s.Fail() // second End is ignored
			p.Info("count")
			c := p.Start("Cluster")
			c.Fail()
			out := buf.String()
			rest := out
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("output %q lacks %q (in order)", out, w)
				}
				rest = rest[i+len(w):]
			}
			for _, f := range tt.forbidden {
				if strings.Contains(out, f) {
					t.Errorf("output %q must not contain %q", out, f)
				}
			}
			if tt.level != Quiet && strings.Count(out, "Preflight\n") != 1 {
				t.Errorf("Preflight ended more than once: %q", out)
			}
		})
	}
}

func TestStartEndsAnOpenStepAsFailed(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	p := New(&buf, false, false, Normal)
	p.Start("first")
	p.Start("second").Done()
	if !strings.Contains(buf.String(), " ✗ first\n") {
		t.Fatalf("open step not ended as failed: %q", buf.String())
	}
}
