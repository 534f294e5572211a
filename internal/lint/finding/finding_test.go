package finding

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
)

func TestAtLeast(t *testing.T) {
	t.Parallel()
	fs := []Finding{{Severity: Warning}, {Severity: Info}}
	tests := []struct {
		min  Severity
		want bool
	}{{Error, false}, {Warning, true}, {Info, true}}
	for _, tt := range tests {
		if got := AtLeast(fs, tt.min); got != tt.want {
			t.Errorf("AtLeast(%v) = %v, want %v", tt.min, got, tt.want)
		}
	}
	if AtLeast(nil, Info) {
		t.Error("no findings cannot fail")
	}
}

func TestSortIsByFileLineColRule(t *testing.T) {
	t.Parallel()
	fs := []Finding{
		{File: "b.yaml", Line: 1, Col: 1, RuleID: "a"},
		{File: "a.yaml", Line: 10, Col: 1, RuleID: "a"},
		{File: "a.yaml", Line: 2, Col: 5, RuleID: "z"},
		{File: "a.yaml", Line: 2, Col: 5, RuleID: "b"},
		{File: "a.yaml", Line: 2, Col: 1, RuleID: "z"},
	}
	Sort(fs)
	want := []string{"a.yaml:2:1:z", "a.yaml:2:5:b", "a.yaml:2:5:z", "a.yaml:10:1:a", "b.yaml:1:1:a"}
	for i, f := range fs {
		if got := f.File + ":" + itoa(f.Line) + ":" + itoa(f.Col) + ":" + f.RuleID; got != want[i] {
			t.Errorf("position %d: %s, want %s", i, got, want[i])
		}
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

func TestSeverityText(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"error", "warning", "info"} {
		v, err := ParseSeverity(s)
		if err != nil || v.String() != s {
			t.Errorf("%s: %v %v", s, v, err)
		}
	}
	if _, err := ParseSeverity("critical"); err == nil {
		t.Error("unknown severity accepted")
	}
	b, _ := json.Marshal(Finding{Severity: Warning})
	if want := `"severity":"warning"`; !strings.Contains(string(b), want) {
		t.Errorf("json %s lacks %s", b, want)
	}
}
