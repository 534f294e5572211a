package limits

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/emmdev/emmdev/internal/limits"
)

// report is the result; its JSON field names are a public contract.
type report struct {
	Evidence   string       `json:"evidence"`
	Headroom   string       `json:"headroom"`
	MinSamples int          `json:"minSamples"`
	Containers []limits.Row `json:"containers"`
	Written    []string     `json:"written"`
}

// below counts the containers with a limit under its recommendation.
func (r report) below() int {
	n := 0
	for _, c := range r.Containers {
		if (c.CPU.Below && c.CPU.Recommend != "") || (c.Memory.Below && c.Memory.Recommend != "") {
			n++
		}
	}
	return n
}

func (o *Options) print(r report) error {
	if o.Format == "json" {
		if r.Written == nil {
			r.Written = []string{}
		}
		enc := json.NewEncoder(o.IO.Out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(r); err != nil {
			return fmt.Errorf("write json: %w", err)
		}
		return nil
	}
	fmt.Fprintf(o.IO.Out, "evidence: %s · headroom ×%s · at least %d samples\n\n", r.Evidence, r.Headroom, r.MinSamples)
	tw := tabwriter.NewWriter(o.IO.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "WORKLOAD\tCONTAINER\tCPU REQ/LIMIT\tPEAK\tRECOMMEND\tMEM REQ/LIMIT\tPEAK\tRECOMMEND\tNOTE")
	for _, c := range r.Containers {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n",
			c.Kind+"/"+c.Workload, c.Container,
			reqLim(c.CPU), dash(c.CPU.Peak), recommend(c.CPU),
			reqLim(c.Memory), dash(c.Memory.Peak), recommend(c.Memory), note(c))
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write table: %w", err)
	}
	for _, f := range r.Written {
		fmt.Fprintf(o.IO.Out, "wrote %s\n", f)
	}
	if b := r.below(); b > 0 && len(r.Written) == 0 {
		fmt.Fprintf(o.IO.ErrOut, "%d container(s) run with a limit below peak × %s; emmdev limits --write sets them\n", b, r.Headroom)
	}
	return nil
}

func reqLim(s limits.Sizing) string { return dash(s.Request) + "/" + dash(s.Limit) }

// recommend marks a raise with ↑ and a change of the request with its new value.
func recommend(s limits.Sizing) string {
	switch {
	case s.Recommend == "":
		return "-"
	case s.LowerRequest != "":
		return s.Recommend + " (request " + s.LowerRequest + ")"
	case s.Below:
		return s.Recommend + " ↑"
	}
	return s.Recommend
}

func note(c limits.Row) string {
	if c.Note != "" {
		return c.Note
	}
	var parts []string
	if c.Memory.Below {
		parts = append(parts, "memory limit too low")
	}
	if c.CPU.Below {
		parts = append(parts, "cpu limit too low")
	}
	if len(parts) == 0 {
		return fmt.Sprintf("%d samples", c.Samples)
	}
	return strings.Join(parts, ", ")
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func sortStrings(s []string) []string {
	slices.Sort(s)
	return s
}
