package lint

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/emmdev/emmdev/internal/celpolicy"
)

type ruleRow struct {
	ID          string `json:"id"`
	Severity    string `json:"severity"`
	Enabled     bool   `json:"enabled"`
	Description string `json:"description"`
	Remediation string `json:"remediation"`
	// Source is where a CEL rule (custom or admission twin) is defined.
	Source string `json:"source,omitempty"`
	// Cluster is the admission action `emmdev policies export` gives the
	// rule (Deny or Warn); empty for rules that exist only in lint.
	Cluster string `json:"cluster,omitempty"`
	// NotOffline says why lint cannot judge the rule (empty: it can).
	NotOffline []string `json:"notOffline,omitempty"`
}

// runListRules shows each rule as the active policy configures it, so
// `--policy x --list-rules` answers "what will run".
func runListRules(o *Options) error {
	wd, err := o.workDir()
	if err != nil {
		return err
	}
	l, err := loadPolicy(o, wd, wd)
	if err != nil {
		return err
	}
	set, err := l.CELSet()
	if err != nil {
		return err
	}
	var rows []ruleRow
	for _, r := range l.Registry.All() {
		rc := l.Policy.Rules[r.ID]
		row := ruleRow{ID: r.ID, Severity: rc.Severity.String(), Enabled: rc.Enabled, Description: r.Description, Remediation: r.Remediation}
		if cr, ok := set.Rule(r.ID); ok {
			row.Source = cr.Pos.String()
			row.NotOffline = cr.NotOffline()
			if rc.Enabled {
				row.Cluster = string(celpolicy.Action(rc.Severity))
			}
		}
		rows = append(rows, row)
	}
	if o.Format == "json" {
		enc := json.NewEncoder(o.IO.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	}
	tw := tabwriter.NewWriter(o.IO.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RULE\tSEVERITY\tENABLED\tCLUSTER\tDESCRIPTION")
	for _, r := range rows {
		cluster, desc := r.Cluster, r.Description
		if cluster == "" {
			cluster = "-"
		}
		if len(r.NotOffline) > 0 {
			desc = "NOT JUDGED OFFLINE (" + strings.Join(r.NotOffline, "; ") + "): " + desc
		}
		fmt.Fprintf(tw, "%s\t%s\t%v\t%s\t%s\n", r.ID, r.Severity, r.Enabled, cluster, desc)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err = fmt.Fprintf(o.IO.Out, "\nPolicy: %s. Suppress per object with annotation emmdev.dev/ignore-<rule>: \"<reason>\".\n"+
		"CLUSTER: what `emmdev policies export` (and `emmdev up`) makes the cluster do with the rule's CEL policy.\n", l.Policy.Source)
	return err
}
